using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Tests.Checkpoints;
using LoraLab.Engine.Tests.Models;
using LoraLab.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Tests.Training;

[Collection(SerialCollection.Name)]
public class TrainerTests
{
    static readonly ModelConfig Config = TinyModels.Named("qwen2-qkv-bias");

    static (CausalLM Lm, LoraMethod Method) Fresh(double dropout = 0, ScalarType dtype = ScalarType.Float32)
    {
        var lm = TinyModels.Create(Config, dtype: dtype);
        var method = new LoraMethod(new LoraConfig { R = 4, LoraAlpha = 8, TargetModules = [LoraConfig.AllLinear], LoraDropout = dropout }, seed: 7);
        method.Attach(lm);
        return (lm, method);
    }

    static Dictionary<string, float[]> Weights(IPeftMethod method) =>
        method.TrainableParameters().ToDictionary(p => p.Name, p => p.Parameter.data<float>().ToArray());

    [Fact]
    public void A_tiny_model_with_lora_learns_a_tiny_batch_by_heart()
    {
        var (lm, method) = Fresh();
        var batches = InMemoryBatches.Random(Config.VocabSize, count: 1, rows: 2, length: 12, seed: 1);
        var options = new TrainingOptions { LearningRate = 3e-2, Schedule = LearningRateSchedule.Constant, MaxSteps = 60, BatchSize = 2 };
        using var output = new TemporaryFolder();
        var recorder = new Recorder();

        var result = Trainer.Run(lm, method, batches, null, options, output.Path, progress: recorder);

        var losses = recorder.Of<StepEvent>().Select(e => e.Loss).ToList();
        Assert.Equal(TrainingStatus.Completed, result.Status);
        Assert.Equal(60, losses.Count);
        Assert.True(losses[0] > 3.5, $"first loss {losses[0]}");   // about ln 61 ≈ 4.1 for an untrained model
        Assert.True(losses[^1] < 0.3, $"last loss {losses[^1]}");
        Assert.Equal(losses[^1], result.FinalLoss);
    }

    [Fact]
    public void Step_events_carry_the_scheduled_learning_rate_the_epoch_and_a_shrinking_eta()
    {
        var (lm, method) = Fresh();
        var options = new TrainingOptions { LearningRate = 1e-3, WarmupSteps = 2, MaxSteps = 4, BatchSize = 1, GradientAccumulationSteps = 2 };
        using var output = new TemporaryFolder();
        var recorder = new Recorder();

        Trainer.Run(lm, method, InMemoryBatches.Random(Config.VocabSize, 4, 1, 8, seed: 2), null, options, output.Path, progress: recorder);

        var steps = recorder.Of<StepEvent>().ToList();
        Assert.Equal([0, 0.5e-3, 1e-3, 0.5e-3], steps.Select(e => e.LearningRate));   // linear: k/2 while warming up, then (4 − k)/2
        Assert.Equal([0.5, 1.0, 1.5, 2.0], steps.Select(e => e.Epoch));               // two micro-batches of four per step
        Assert.Equal([1L, 2L, 3L, 4L], steps.Select(e => e.Step));
        Assert.All(steps, e => Assert.True(e.GradNorm > 0 && e.TokensPerSecond > 0 && e.ResidentBytes > 0 && e.TotalSteps == 4));
        Assert.Equal(TimeSpan.Zero, steps[^1].Eta);
        Assert.True(steps[0].Eta > steps[2].Eta);
    }

    [Fact]
    public void Training_leaves_every_base_weight_bit_identical()
    {
        var (lm, method) = Fresh(dropout: 0.1);
        var trainable = method.TrainableParameters().Select(p => p.Parameter.Handle).ToHashSet();
        var before = lm.named_parameters().Where(p => !trainable.Contains(p.parameter.Handle)).ToDictionary(p => p.name, p => p.parameter.clone());
        var options = new TrainingOptions { LearningRate = 1e-2, MaxSteps = 3, BatchSize = 2, WeightDecay = 0.1 };
        using var output = new TemporaryFolder();

        Trainer.Run(lm, method, InMemoryBatches.Random(Config.VocabSize, 2, 2, 10, seed: 2), null, options, output.Path);

        Assert.NotEmpty(before);
        foreach (var (name, p) in lm.named_parameters().Where(p => before.ContainsKey(p.name)))
            Assert.True(p.equal(before[name]).all().item<bool>(), $"{name} changed");
        Assert.Contains(method.TrainableParameters(), p => p.Name.EndsWith("lora_B.weight") && p.Parameter.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Two_accumulated_micro_batches_of_one_row_give_the_gradients_of_one_batch_of_two()
    {
        var (lm, method) = Fresh();
        AdapterNoise.RandomiseB(method);
        var ids = randint(0, Config.VocabSize, [2, 10], generator: new Generator(3));
        var labels = ids.clone();
        labels[0, 2] = CausalLmLoss.IgnoreIndex;   // unequal token counts: weighting by tokens must still agree
        var options = new TrainingOptions { BatchSize = 2 };
        using var optimizer = new AdamWOptimizer(method.TrainableParameters(), options);
        var step = new TrainingStep(lm, method, optimizer, options);

        var (wholeLoss, wholeTokens) = step.Accumulate([new TrainingBatch(ids, labels)]);
        var whole = Weights(method.TrainableParameters().ToDictionary(p => p.Name, p => p.Parameter.grad!.clone()));
        optimizer.ZeroGrad();
        var (splitLoss, splitTokens) = step.Accumulate([new TrainingBatch(ids[..1], labels[..1]), new TrainingBatch(ids[1..], labels[1..])]);
        var split = Weights(method.TrainableParameters().ToDictionary(p => p.Name, p => p.Parameter.grad!.clone()));

        Assert.Equal((17L, 17L), (wholeTokens, splitTokens));
        Assert.Equal(wholeLoss, splitLoss, 4);
        foreach (var (name, g) in whole)
            for (int i = 0; i < g.Length; i++) Assert.True(Math.Abs(g[i] - split[name][i]) <= 1e-6, $"{name}[{i}]: {g[i]} vs {split[name][i]}");
    }

    [Fact]
    public void A_run_resumed_from_a_checkpoint_ends_bit_identical_to_an_uninterrupted_run()
    {
        var options = new TrainingOptions
        {
            LearningRate = 1e-2, Schedule = LearningRateSchedule.Cosine, WarmupSteps = 2, MaxSteps = 8, BatchSize = 2,
            GradientAccumulationSteps = 2, MaxGradNorm = 0.5, WeightDecay = 0.05, Seed = 5,
        };
        var batches = InMemoryBatches.Random(Config.VocabSize, count: 3, rows: 2, length: 10, seed: 4, shuffle: true);
        using var output = new TemporaryFolder();

        var (lmA, methodA) = Fresh(dropout: 0.2);
        Trainer.Run(lmA, methodA, batches, null, options, Path.Combine(output.Path, "a"));
        var uninterrupted = Weights(methodA);

        var (lmB, methodB) = Fresh(dropout: 0.2);
        using var cancel = new CancellationTokenSource();
        var stopAtFive = new Recorder(e => { if (e is StepEvent { Step: 5 }) cancel.Cancel(); });
        var interrupted = Trainer.Run(lmB, methodB, batches, null, options, Path.Combine(output.Path, "b"), progress: stopAtFive, cancellation: cancel.Token);

        var (lmC, methodC) = Fresh(dropout: 0.2);
        var resumed = Trainer.Run(lmC, methodC, batches, null, options, Path.Combine(output.Path, "b"), resumeFrom: interrupted.LastCheckpoint);

        Assert.Equal((TrainingStatus.Cancelled, 5L), (interrupted.Status, interrupted.Steps));
        Assert.Equal((TrainingStatus.Completed, 8L), (resumed.Status, resumed.Steps));
        foreach (var (name, w) in uninterrupted) Assert.Equal(w, Weights(methodC)[name]);
    }

    [Fact]
    public void Cancelling_stops_after_the_current_step_with_a_loadable_checkpoint_and_adapter()
    {
        var (lm, method) = Fresh();
        var options = new TrainingOptions { LearningRate = 1e-2, MaxSteps = 50, BatchSize = 2 };
        using var output = new TemporaryFolder();
        using var cancel = new CancellationTokenSource();
        var recorder = new Recorder(e => { if (e is StepEvent { Step: 2 }) cancel.Cancel(); });

        var result = Trainer.Run(lm, method, InMemoryBatches.Random(Config.VocabSize, 3, 2, 8, seed: 6), null, options, output.Path, progress: recorder, cancellation: cancel.Token);

        Assert.Equal((TrainingStatus.Cancelled, 2L), (result.Status, result.Steps));
        Assert.Equal(TrainingCheckpoint.PathFor(output.Path, 2), result.LastCheckpoint);
        Assert.Equal(result.LastCheckpoint, recorder.Of<CheckpointEvent>().Single().Path);
        Assert.Same(result, recorder.Of<TrainingFinishedEvent>().Single().Result);
        var (fresh, freshMethod) = Fresh();
        using var optimizer = new AdamWOptimizer(freshMethod.TrainableParameters(), options);
        var state = TrainingCheckpoint.Restore(result.LastCheckpoint!, freshMethod.TrainableParameters(), optimizer);
        Assert.Equal((2L, new BatchPosition(0, 2)), (state.Step, state.Position));
        Assert.Equal(Weights(method), Weights(freshMethod));
        using var reloaded = TinyModels.Create(Config);
        PeftLoraFiles.Load(reloaded, result.AdapterDirectory);
        Assert.Empty(Directory.GetDirectories(Path.Combine(output.Path, TrainingCheckpoint.Folder), ".*"));
    }

    [Fact]
    public void Checkpoints_are_written_every_save_steps_and_the_oldest_pruned_beyond_the_limit()
    {
        var (lm, method) = Fresh();
        var options = new TrainingOptions { MaxSteps = 6, BatchSize = 1, SaveSteps = 2, SaveTotalLimit = 2 };
        using var output = new TemporaryFolder();
        var recorder = new Recorder();

        var result = Trainer.Run(lm, method, InMemoryBatches.Random(Config.VocabSize, 2, 1, 6, seed: 3), null, options, output.Path, progress: recorder);

        Assert.Equal([2L, 4L, 6L], recorder.Of<CheckpointEvent>().Select(e => e.Step));
        Assert.Equal(["step-000004", "step-000006"], Directory.GetDirectories(Path.Combine(output.Path, TrainingCheckpoint.Folder)).Select(Path.GetFileName).Order());
        Assert.Equal(TrainingCheckpoint.PathFor(output.Path, 6), TrainingCheckpoint.Latest(output.Path));
        Assert.Equal(TrainingCheckpoint.Latest(output.Path), result.LastCheckpoint);
        var saved = TrainingOptions.FromJson(File.ReadAllText(Path.Combine(result.LastCheckpoint!, TrainingCheckpoint.OptionsFile)), "options");
        Assert.Equal(options, saved);
    }

    [Fact]
    public void A_checkpoint_of_another_adapter_shape_is_refused_with_the_mismatches()
    {
        var (lm, method) = Fresh();
        using var output = new TemporaryFolder();
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var result = Trainer.Run(lm, method, InMemoryBatches.Random(Config.VocabSize, 1, 1, 8, seed: 6), null, new TrainingOptions { MaxSteps = 5 }, output.Path, cancellation: cancel.Token);
        using var other = TinyModels.Create(Config);
        var otherMethod = new LoraMethod(new LoraConfig { R = 2, TargetModules = ["q_proj"] });
        otherMethod.Attach(other);
        using var optimizer = new AdamWOptimizer(otherMethod.TrainableParameters(), new TrainingOptions());

        var e = Assert.Throws<TrainingCheckpointException>(() => TrainingCheckpoint.Restore(result.LastCheckpoint!, otherMethod.TrainableParameters(), optimizer));

        Assert.StartsWith($"{Path.Combine(result.LastCheckpoint!, TrainingCheckpoint.WeightsFile)} does not fit this model and method: " +
            "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight has shape [4, 32] but the model's is [2, 32]", e.Message);
        Assert.Contains("is not a trainable parameter of this run", e.Message);
    }

    [Fact]
    public void Evaluation_keeps_the_best_adapter_and_stops_when_patience_runs_out()
    {
        var (lm, method) = Fresh();
        // Memorising random tokens makes other random tokens less likely: the validation loss soon rises.
        var train = InMemoryBatches.Random(Config.VocabSize, 1, 2, 16, seed: 8);
        var validation = InMemoryBatches.Random(Config.VocabSize, 2, 2, 16, seed: 9);
        var options = new TrainingOptions { LearningRate = 5e-2, Schedule = LearningRateSchedule.Constant, MaxSteps = 200, BatchSize = 2, EvalSteps = 2, EarlyStoppingPatience = 3 };
        using var output = new TemporaryFolder();
        var recorder = new Recorder();

        var result = Trainer.Run(lm, method, train, validation, options, output.Path, progress: recorder);

        var evaluations = recorder.Of<EvaluationEvent>().ToList();
        var best = evaluations.MinBy(e => e.Loss)!;
        Assert.Equal(TrainingStatus.EarlyStopped, result.Status);
        Assert.True(result.Steps < 200);
        Assert.Equal(best.Step + 3 * 2, result.Steps);
        Assert.All(evaluations.SkipWhile(e => e != best).Skip(1), e => Assert.False(e.IsBest));
        Assert.Equal(Math.Exp(best.Loss), best.Perplexity, 9);
        Assert.Equal((best.Loss, best.Step), (result.BestEvalLoss!.Value, result.BestStep!.Value));
        Assert.Equal(Path.Combine(output.Path, Trainer.BestFolder), result.BestAdapterDirectory);
        var info = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(result.BestAdapterDirectory!, Trainer.BestInfoFile)))!;
        Assert.Equal(best.Step, info["step"]!.GetValue<long>());
        using var reloaded = TinyModels.Create(Config);
        PeftLoraFiles.Load(reloaded, result.BestAdapterDirectory!);
    }

    [Fact]
    public void A_run_with_validation_batches_and_no_eval_steps_is_evaluated_once_after_its_last_step()
    {
        var (lm, method) = Fresh();
        var validation = InMemoryBatches.Random(Config.VocabSize, 2, 2, 12, seed: 9);
        var options = new TrainingOptions { LearningRate = 1e-2, MaxSteps = 5, BatchSize = 2 };
        using var output = new TemporaryFolder();
        var recorder = new Recorder();

        var result = Trainer.Run(lm, method, InMemoryBatches.Random(Config.VocabSize, 2, 2, 12, seed: 8), validation, options, output.Path, progress: recorder);

        var evaluation = Assert.Single(recorder.Of<EvaluationEvent>());
        Assert.Equal((5L, 5L), (evaluation.Step, result.BestStep!.Value));
        Assert.Equal(ReferenceValidationLoss(lm, method, validation), evaluation.Loss, 5);
    }

    /// <summary>Mean next-token cross-entropy over the batches, recomputed in float64 from the logits.</summary>
    static double ReferenceValidationLoss(CausalLM lm, IPeftMethod method, InMemoryBatches batches)
    {
        lm.eval();
        using var noGrad = no_grad();
        double sum = 0;
        long tokens = 0;
        for (int i = 0; i < batches.BatchesPerEpoch; i++)
        {
            using var scope = NewDisposeScope();
            var batch = batches.Read(new BatchPosition(0, i));
            var logProbabilities = method.Forward(lm, batch.InputIds, null).to_type(ScalarType.Float64)[.., ..^1].log_softmax(-1);   // (B, T-1, V)
            var next = batch.Labels[.., 1..].unsqueeze(-1);                                                                      // (B, T-1, 1)
            sum -= logProbabilities.gather(-1, next).sum().item<double>();
            tokens += next.numel();
        }
        return sum / tokens;
    }

    [Fact]
    public void Training_steps_leave_no_tensors_behind()
    {
        var (lm, method) = Fresh(dropout: 0.1);
        var options = new TrainingOptions { MaxSteps = 6, BatchSize = 2, GradientAccumulationSteps = 2, GradientCheckpointing = true };
        using var output = new TemporaryFolder();
        var live = new List<long>();
        var recorder = new Recorder(e => { if (e is StepEvent) live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount); });

        Trainer.Run(lm, method, InMemoryBatches.Random(Config.VocabSize, 3, 2, 8, seed: 10), null, options, output.Path, progress: recorder);

        Assert.Equal(6, live.Count);
        Assert.All(live, count => Assert.Equal(live[0], count));
    }

    [Fact]
    public void Bf16_and_fp16_training_keep_float32_adapters_and_lower_the_loss()
    {
        foreach (var (precision, dtype) in new[] { (ComputePrecision.Bf16, ScalarType.BFloat16), (ComputePrecision.Fp16, ScalarType.Float16) })
        {
            var (lm, method) = Fresh(dtype: dtype);
            var options = new TrainingOptions { LearningRate = 3e-2, Schedule = LearningRateSchedule.Constant, MaxSteps = 30, BatchSize = 2, Precision = precision };
            using var output = new TemporaryFolder();
            var recorder = new Recorder();

            Trainer.Run(lm, method, InMemoryBatches.Random(Config.VocabSize, 1, 2, 12, seed: 1), null, options, output.Path, progress: recorder);

            var losses = recorder.Of<StepEvent>().Select(e => e.Loss).ToList();
            Assert.True(losses[^1] < losses[0] / 2, $"{precision}: {losses[0]} → {losses[^1]}");
            Assert.All(method.TrainableParameters(), p => Assert.Equal(ScalarType.Float32, p.Parameter.dtype));
        }
    }

    /// <summary>
    /// bf16 keeps 8 significant bits: every rounding of an activation is off by at most u = 2⁻⁹ relative (half an
    /// ulp), and how many roundings a step makes, and in which order a kernel accumulates, differs between CPUs
    /// (AMX tiles, AVX-512 and AVX2 kernels each give other bits). So the bound is not what one machine printed: both
    /// runs start from the same bf16-rounded weights, the first loss may differ by a few roundings (8u ≈ 1.6 %),
    /// and each step adds a drift of a few roundings of either sign, which add up like a random walk: step i stays
    /// within (8 + 8√i)·u (9 % at step 24; seen: 1.9 % on an AMD EPYC, 3.3 % on an Intel Xeon with AMX). A bf16
    /// path that lost the adapter's updates, trained the rounded weights or diverged breaks the bound or the
    /// learning assertion.
    /// </summary>
    [Fact]
    public void Bf16_training_follows_the_float32_loss_curve_of_the_same_weights()
    {
        var (reference, referenceMethod) = Fresh();
        var (mixed, mixedMethod) = Fresh(dtype: ScalarType.BFloat16);
        using (no_grad())
        {
            var float32 = reference.state_dict();
            foreach (var (name, p) in mixed.state_dict()) p.copy_(float32[name]);
            foreach (var (name, p) in float32) p.copy_(mixed.state_dict()[name]);   // float32 from the same rounded weights
        }
        var batches = InMemoryBatches.Random(Config.VocabSize, count: 4, rows: 2, length: 24, seed: 5);

        List<double> Curve(CausalLM lm, IPeftMethod method, ComputePrecision precision)
        {
            var options = new TrainingOptions { LearningRate = 1e-2, Schedule = LearningRateSchedule.Constant, MaxSteps = 24, BatchSize = 2, Precision = precision };
            using var output = new TemporaryFolder();
            var recorder = new Recorder();
            Trainer.Run(lm, method, batches, null, options, output.Path, progress: recorder);
            return recorder.Of<StepEvent>().Select(e => e.Loss).ToList();
        }
        var float32Curve = Curve(reference, referenceMethod, ComputePrecision.Float32);
        var bf16Curve = Curve(mixed, mixedMethod, ComputePrecision.Bf16);

        Assert.True(float32Curve[^1] < float32Curve[0] * 0.7, $"float32 should learn: {float32Curve[0]} → {float32Curve[^1]}");
        Assert.True(bf16Curve[^1] < bf16Curve[0] * 0.7, $"bf16 should learn as float32 does: {bf16Curve[0]} → {bf16Curve[^1]}");
        const double u = 1.0 / 512;
        for (int i = 0; i < float32Curve.Count; i++)
            Assert.True(Math.Abs(bf16Curve[i] - float32Curve[i]) <= (8 + 8 * Math.Sqrt(i)) * u * float32Curve[i],
                $"step {i + 1}: bf16 {bf16Curve[i]}, float32 {float32Curve[i]}");
    }

    [Fact]
    public void A_model_loaded_in_another_dtype_than_the_compute_precision_is_refused()
    {
        var (lm, method) = Fresh();
        using var output = new TemporaryFolder();

        var e = Assert.Throws<TrainingConfigException>(() => Trainer.Run(lm, method, InMemoryBatches.Random(Config.VocabSize, 1, 1, 4, 1), null,
            new TrainingOptions { Precision = ComputePrecision.Bf16 }, output.Path));

        Assert.Equal("compute_precision is bf16, so the base model must be loaded in BFloat16, but it is Float32.", e.Message);
    }

    [Fact]
    public void A_batch_wider_than_batch_size_is_refused_with_its_position()
    {
        var (lm, method) = Fresh();
        using var output = new TemporaryFolder();

        var e = Assert.Throws<TrainingConfigException>(() => Trainer.Run(lm, method, InMemoryBatches.Random(Config.VocabSize, 2, 3, 4, 1), null,
            new TrainingOptions { BatchSize = 2 }, output.Path));

        Assert.Equal("The batch at epoch 0, index 0 has 3 rows, more than batch_size 2.", e.Message);
    }

    static Dictionary<string, float[]> Weights(Dictionary<string, Tensor> tensors) => tensors.ToDictionary(kv => kv.Key, kv => kv.Value.data<float>().ToArray());
}
