using System.Diagnostics;
using LoraLab.Engine.Diagnostics;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using static TorchSharp.torch;

namespace LoraLab.Engine.Training;

/// <summary>
/// Measures training throughput and peak memory through the real step (<see cref="TrainingStep"/>: forward, backward,
/// clipping, AdamW) on a random-weight model and random tokens, so it needs no download and compares hardware and code
/// changes. The memory estimate for the same configuration is reported beside the measured peak.
/// </summary>
public static class TrainingBenchmark
{
    public static TrainingBenchmarkResult Run(TrainingBenchmarkOptions options)
    {
        options.Validate();
        var config = options.Model;
        var dtype = options.Precision.DType();
        using var lm = new CausalLM(config, CPU, dtype);
        ModelInitializer.InitializeRandom(lm, options.Seed);
        var method = options.CreateMethod();
        method.Attach(lm);
        long trainableCount = PeftMethod.Count(lm, method).Trainable;
        var trainingOptions = new TrainingOptions
        {
            BatchSize = options.BatchSize, Precision = options.Precision, GradientCheckpointing = options.GradientCheckpointing, Seed = options.Seed,
        };
        using var optimizer = new AdamWOptimizer(method.TrainableParameters(), trainingOptions);
        var step = new TrainingStep(lm, method, optimizer, trainingOptions);
        random.manual_seed(options.Seed);
        lm.train();
        lm.model.BlockRunner = options.GradientCheckpointing ? BlockCheckpoint.Run : null;
        long residentAfterLoad = ProcessMemory.CurrentBytes();
        var tokens = new Random(unchecked((int)options.Seed));

        for (int i = 0; i < options.WarmupSteps; i++) TimedStep(step, tokens, options, trainingOptions.LearningRate);
        ProcessMemory.ResetPeak();
        double seconds = 0;
        StepOutcome? last = null;
        for (int i = 0; i < options.Steps; i++)
        {
            (last, double elapsed) = TimedStep(step, tokens, options, trainingOptions.LearningRate);
            seconds += elapsed;
        }
        long peak = ProcessMemory.PeakBytes();

        double bytesPerParameter = BaseWeightFootprint.BytesPerLinearParameter(lm);
        var estimate = MemoryEstimator.Estimate(new MemoryEstimateInput(
            config, method.Kind, trainableCount, bytesPerParameter * 8, options.Precision, options.BatchSize, options.SequenceLength, options.GradientCheckpointing));
        double stepSeconds = seconds / options.Steps;
        return new TrainingBenchmarkResult(
            config.Architecture, lm.ParameterCount() - trainableCount, method.Kind, trainableCount, options.Precision.ToString().ToLowerInvariant(),
            options.GradientCheckpointing, get_num_threads(), options.BatchSize, options.SequenceLength, bytesPerParameter, options.Steps,
            stepSeconds, options.BatchSize * options.SequenceLength / stepSeconds, last!.Loss, residentAfterLoad, peak, estimate);
    }

    /// <summary>One step on random tokens that are their own labels; only the step itself is timed.</summary>
    static (StepOutcome Outcome, double Seconds) TimedStep(TrainingStep step, Random tokens, TrainingBenchmarkOptions options, double learningRate)
    {
        using var scope = NewDisposeScope();
        int B = options.BatchSize, T = options.SequenceLength;
        var ids = tensor(Enumerable.Range(0, B * T).Select(_ => (long)tokens.Next(options.Model.VocabSize)).ToArray(), [B, T]);   // (B, T)
        var clock = Stopwatch.StartNew();
        var outcome = step.Run([new TrainingBatch(ids, ids)], learningRate);
        return (outcome, clock.Elapsed.TotalSeconds);
    }
}
