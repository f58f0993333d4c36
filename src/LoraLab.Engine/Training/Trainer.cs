using System.Diagnostics;
using System.Text.Json.Nodes;
using LoraLab.Engine.Diagnostics;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LoraLab.Engine.Training;

/// <summary>
/// Trains the parameters of an attached <see cref="IPeftMethod"/>: optimizer steps over the training batches with the
/// learning-rate schedule, periodic and final evaluation, early stopping, the best adapter kept aside, resumable checkpoints, and
/// cancellation that stops after the current step with a checkpoint. The trained adapter is saved at the end.
/// </summary>
/// <remarks>
/// LoRA dropout draws from libtorch's global CPU generator. The trainer seeds it with <see cref="TrainingOptions.Seed"/>
/// and saves and restores its state with every checkpoint, which is what makes a resumed run exact; two runs in one
/// process at the same time would share that generator.
/// </remarks>
public sealed class Trainer
{
    public const string AdapterFolder = "adapter", BestFolder = "best", BestInfoFile = "evaluation.json";

    readonly CausalLM lm;
    readonly IPeftMethod method;
    readonly ITrainingBatches train;
    readonly ITrainingBatches? validation;
    readonly TrainingOptions options;
    readonly string outputDirectory;
    readonly IProgress<TrainingEvent>? progress;
    readonly IReadOnlyList<(string Name, Parameter Parameter)> trainable;
    readonly AdamWOptimizer optimizer;
    readonly TrainerState state;
    readonly TrainingStep step;
    readonly Stopwatch clock = Stopwatch.StartNew();
    readonly double elapsedBefore;
    long sessionSteps, sessionTokens;
    double sessionStepSeconds;
    string? lastCheckpoint;
    long lastCheckpointStep = -1;
    string? bestAdapter;

    Trainer(CausalLM lm, IPeftMethod method, ITrainingBatches train, ITrainingBatches? validation, TrainingOptions options,
        string outputDirectory, string? resumeFrom, IProgress<TrainingEvent>? progress)
    {
        this.lm = lm;
        this.method = method;
        this.train = train;
        this.validation = validation;
        this.options = options;
        this.outputDirectory = outputDirectory;
        this.progress = progress;
        trainable = method.TrainableParameters();
        if (trainable.Count == 0) throw new TrainingConfigException($"The {method.Kind} method has no trainable parameters.");
        optimizer = new AdamWOptimizer(trainable, options);
        try
        {
            if (resumeFrom is null)
            {
                random.manual_seed(options.Seed);
                state = new TrainerState();
            }
            else
            {
                state = TrainingCheckpoint.Restore(resumeFrom, trainable, optimizer);
                lastCheckpoint = resumeFrom;
                lastCheckpointStep = state.Step;
                string best = Path.Combine(outputDirectory, BestFolder);
                if (state.BestStep is not null && Directory.Exists(best)) bestAdapter = best;
            }
        }
        catch
        {
            optimizer.Dispose();
            throw;
        }
        state.TotalSteps = TotalSteps(options, train.BatchesPerEpoch);
        state.WarmupSteps = LearningRateSchedules.WarmupSteps(options.WarmupSteps, options.WarmupRatio, state.TotalSteps);
        elapsedBefore = state.ElapsedSeconds;
        var scaler = options.Precision == ComputePrecision.Fp16 ? new LossScaler(state.LossScale, state.LossScaleCleanSteps) : null;
        step = new TrainingStep(lm, method, optimizer, options, scaler);
    }

    /// <summary>Runs training to the end, early stop or cancellation.</summary>
    /// <param name="lm">The base model, loaded in the dtype of <see cref="TrainingOptions.Precision"/>.</param>
    /// <param name="method">Already attached to <paramref name="lm"/>.</param>
    /// <param name="validation">Batches evaluated every <see cref="TrainingOptions.EvalSteps"/> steps (epoch 0, in order), and after the last step.</param>
    /// <param name="outputDirectory">Receives training_options.json, checkpoints/, best/ and adapter/.</param>
    /// <param name="resumeFrom">A step checkpoint folder to continue from, or null to start afresh. The options given
    /// here apply; the run is exact when they are the ones the checkpoint was written with.</param>
    public static TrainingResult Run(CausalLM lm, IPeftMethod method, ITrainingBatches train, ITrainingBatches? validation,
        TrainingOptions options, string outputDirectory, string? resumeFrom = null, IProgress<TrainingEvent>? progress = null,
        CancellationToken cancellation = default)
    {
        options.Validate();
        TrainingStep.CheckPrecision(lm, options);
        if (train.BatchesPerEpoch <= 0) throw new TrainingConfigException($"The training batches are empty (batches per epoch: {train.BatchesPerEpoch}).");
        if (options.EvalSteps is not null && (validation is null || validation.BatchesPerEpoch <= 0))
            throw new TrainingConfigException($"eval_steps is {options.EvalSteps} but there are no validation batches.");
        Directory.CreateDirectory(outputDirectory);
        File.WriteAllText(Path.Combine(outputDirectory, TrainingCheckpoint.OptionsFile), options.ToJson());

        var trainer = new Trainer(lm, method, train, validation, options, outputDirectory, resumeFrom, progress);
        try { return trainer.Loop(cancellation); }
        finally { trainer.optimizer.Dispose(); }
    }

    /// <summary>max_steps, or ⌈epochs · batches per epoch / accumulation⌉; micro-batches run on across epoch ends.</summary>
    public static long TotalSteps(TrainingOptions options, long batchesPerEpoch) =>
        options.MaxSteps ?? Math.Max(1, (long)Math.Ceiling(options.Epochs * batchesPerEpoch / options.GradientAccumulationSteps));

    TrainingResult Loop(CancellationToken cancellation)
    {
        var status = TrainingStatus.Completed;
        lm.train();
        lm.model.BlockRunner = options.GradientCheckpointing ? BlockCheckpoint.Run : null;
        try
        {
            while (state.Step < state.TotalSteps)
            {
                if (cancellation.IsCancellationRequested)
                {
                    status = TrainingStatus.Cancelled;
                    break;
                }
                TakeStep();
                bool stop = options.EvalSteps is { } every && state.Step % every == 0 && Evaluate();
                if (options.SaveSteps is { } save && state.Step % save == 0) SaveCheckpoint();
                if (stop)
                {
                    status = TrainingStatus.EarlyStopped;
                    break;
                }
            }
            if (status == TrainingStatus.Cancelled && lastCheckpointStep != state.Step) SaveCheckpoint();
            // A run with held-out data ends with its validation loss, whether or not eval_steps evaluated along the way.
            if (status == TrainingStatus.Completed && validation is { BatchesPerEpoch: > 0 } && !(options.EvalSteps is { } interval && state.Step % interval == 0))
                Evaluate();
        }
        finally
        {
            lm.model.BlockRunner = null;
            lm.eval();
        }

        string adapter = Path.Combine(outputDirectory, AdapterFolder);
        method.Save(lm, adapter);
        var result = new TrainingResult(status, state.Step, state.TotalSteps, state.LastLoss, state.BestEvalLoss, state.BestStep,
            adapter, lastCheckpoint, bestAdapter, TimeSpan.FromSeconds(Elapsed), state.InputTokens);
        progress?.Report(new TrainingFinishedEvent(result));
        return result;
    }

    double Elapsed => elapsedBefore + clock.Elapsed.TotalSeconds;

    void TakeStep()
    {
        double learningRate = options.LearningRate * LearningRateSchedules.Multiplier(options.Schedule, state.Step, state.WarmupSteps, state.TotalSteps);
        long started = Stopwatch.GetTimestamp();
        StepOutcome outcome;
        using (var scope = NewDisposeScope())
        {
            var microBatches = new List<TrainingBatch>(options.GradientAccumulationSteps);
            for (int i = 0; i < options.GradientAccumulationSteps; i++)
            {
                microBatches.Add(Read(train, state.Position, options.BatchSize));
                state.Position = state.Position.Next(train.BatchesPerEpoch);
            }
            outcome = step.Run(microBatches, learningRate);
        }
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;

        state.Step++;
        state.OptimizerSteps = optimizer.StepCount;
        state.LastLoss = outcome.Loss;
        state.InputTokens += outcome.InputTokens;
        if (step.Scaler is { } scaler) (state.LossScale, state.LossScaleCleanSteps) = (scaler.Scale, scaler.CleanSteps);
        sessionSteps++;
        sessionTokens += outcome.InputTokens;
        sessionStepSeconds += seconds;

        double epoch = state.Epoch + (double)state.BatchIndex / train.BatchesPerEpoch;
        var eta = TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / sessionSteps * (state.TotalSteps - state.Step));
        progress?.Report(new StepEvent(state.Step, state.TotalSteps, epoch, outcome.Loss, learningRate, outcome.GradNorm, outcome.Skipped,
            sessionTokens / sessionStepSeconds, TimeSpan.FromSeconds(Elapsed), eta, ProcessMemory.CurrentBytes()));
    }

    /// <summary>Reads a batch and checks its shapes; <paramref name="maxRows"/> bounds training batches, not validation ones.</summary>
    static TrainingBatch Read(ITrainingBatches source, BatchPosition position, int? maxRows = null)
    {
        var batch = source.Read(position);
        string where = $"The batch at epoch {position.Epoch}, index {position.Index}";
        if (batch.InputIds.dim() != 2) throw new TrainingConfigException($"{where} has input ids of shape [{string.Join(", ", batch.InputIds.shape)}]; expected (batch, sequence).");
        if (!batch.Labels.shape.SequenceEqual(batch.InputIds.shape) || (batch.KeyIsReal is { } k && !k.shape.SequenceEqual(batch.InputIds.shape)))
            throw new TrainingConfigException($"{where} has labels or padding mask of another shape than its input ids [{string.Join(", ", batch.InputIds.shape)}].");
        if (batch.InputIds.shape[0] > maxRows)
            throw new TrainingConfigException($"{where} has {batch.InputIds.shape[0]} rows, more than batch_size {maxRows}.");
        return batch;
    }

    /// <summary>Evaluates, keeps the best adapter, and returns whether early stopping's patience has run out.</summary>
    bool Evaluate()
    {
        var (loss, tokens) = ValidationLoss();
        bool isBest = state.BestEvalLoss is not { } best || loss < best;
        if (isBest)
        {
            state.BestEvalLoss = loss;
            state.BestStep = state.Step;
            state.EvaluationsWithoutImprovement = 0;
        }
        else state.EvaluationsWithoutImprovement++;
        progress?.Report(new EvaluationEvent(state.Step, loss, Math.Exp(loss), tokens, isBest));
        if (isBest && options.KeepBest) SaveBest(loss);
        return options.EarlyStoppingPatience is { } patience && state.EvaluationsWithoutImprovement >= patience;
    }

    /// <summary>Mean token cross-entropy over every validation batch, without dropout.</summary>
    (double Loss, long Tokens) ValidationLoss()
    {
        lm.eval();
        try
        {
            using var noGrad = no_grad();
            double sum = 0;
            long tokens = 0;
            for (long i = 0; i < validation!.BatchesPerEpoch; i++)
            {
                using var scope = NewDisposeScope();
                var batch = Read(validation, new BatchPosition(0, i));
                sum += CausalLmLoss.Sum(batch.Logits(method, lm), batch.Labels).item<float>();
                tokens += CausalLmLoss.PredictedTokens(batch.Labels);
            }
            if (tokens == 0) throw new TrainingConfigException("The validation batches have no labelled token to predict.");
            return (sum / tokens, tokens);
        }
        finally { lm.train(); }
    }

    void SaveBest(double loss)
    {
        string folder = Path.Combine(outputDirectory, BestFolder);
        AtomicFolder.Write(folder, temporary =>
        {
            method.Save(lm, temporary);
            var info = new JsonObject { ["step"] = state.Step, ["eval_loss"] = loss, ["perplexity"] = Math.Exp(loss) };
            File.WriteAllText(Path.Combine(temporary, BestInfoFile), info.ToJsonString());
        });
        bestAdapter = folder;
        progress?.Report(new CheckpointEvent(state.Step, folder, IsBest: true));
    }

    void SaveCheckpoint()
    {
        state.ElapsedSeconds = Elapsed;
        string folder = TrainingCheckpoint.PathFor(outputDirectory, state.Step);
        TrainingCheckpoint.Save(folder, trainable, optimizer, state, options);
        lastCheckpoint = folder;
        lastCheckpointStep = state.Step;
        if (options.SaveTotalLimit is { } keep) TrainingCheckpoint.Prune(outputDirectory, keep);
        progress?.Report(new CheckpointEvent(state.Step, folder, IsBest: false));
    }
}
