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

        StepOutcome? last = null;
        for (int i = 0; i < options.WarmupSteps; i++) last = TimedStep(step, RandomBatch(tokens, options, config.VocabSize), trainingOptions.LearningRate).Outcome;
        ProcessMemory.ResetPeak();
        double seconds = 0;
        for (int i = 0; i < options.Steps; i++)
        {
            var (outcome, elapsed) = TimedStep(step, RandomBatch(tokens, options, config.VocabSize), trainingOptions.LearningRate);
            seconds += elapsed;
            last = outcome;
        }
        long peak = ProcessMemory.PeakBytes();

        double bytesPerParameter = options.Precision.Bytes();
        var estimate = MemoryEstimator.Estimate(new MemoryEstimateInput(
            config, method.Kind, trainableCount, bytesPerParameter * 8, options.Precision, options.BatchSize, options.SequenceLength, options.GradientCheckpointing));
        double stepSeconds = seconds / options.Steps;
        return new TrainingBenchmarkResult(
            config.Architecture, lm.ParameterCount() - trainableCount, method.Kind, trainableCount, options.Precision.ToString().ToLowerInvariant(),
            options.GradientCheckpointing, get_num_threads(), options.BatchSize, options.SequenceLength, bytesPerParameter, options.Steps,
            stepSeconds, options.BatchSize * options.SequenceLength / stepSeconds, last!.Loss, residentAfterLoad, peak, estimate);
    }

    static (StepOutcome Outcome, double Seconds) TimedStep(TrainingStep step, Func<Tensor> makeIds, double learningRate)
    {
        using var scope = NewDisposeScope();
        var ids = makeIds();                                   // (B, T)
        var clock = Stopwatch.StartNew();
        var outcome = step.Run([new TrainingBatch(ids, ids)], learningRate);
        return (outcome, clock.Elapsed.TotalSeconds);
    }

    static Func<Tensor> RandomBatch(Random random, TrainingBenchmarkOptions options, int vocabSize) => () =>
        tensor(Enumerable.Range(0, options.BatchSize * options.SequenceLength).Select(_ => (long)random.Next(vocabSize)).ToArray(),
            [options.BatchSize, options.SequenceLength]);
}
