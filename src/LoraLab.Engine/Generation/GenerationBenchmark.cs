using System.Diagnostics;
using LoraLab.Engine.Diagnostics;
using LoraLab.Engine.Models;
using static TorchSharp.torch;

namespace LoraLab.Engine.Generation;

/// <summary>
/// Measures prefill and decode speed through the real generation path (<see cref="TokenGenerator"/>, greedy, no EOS)
/// on a random-weight model, so it needs no download and compares hardware and code changes, not checkpoints.
/// </summary>
public static class GenerationBenchmark
{
    const int WarmUpContext = 16, WarmUpTokens = 4;

    public static GenerationBenchmarkResult Run(GenerationBenchmarkOptions options)
    {
        options.Validate();
        var config = options.Model;
        using var lm = new CausalLM(config, options.Device.Device, options.Device.ComputeDType);
        ModelInitializer.InitializeRandom(lm, options.Seed);
        lm.eval();
        var generator = new TokenGenerator(lm);
        long residentAfterLoad = ProcessMemory.CurrentBytes();
        var random = new Random(unchecked((int)options.Seed));

        // The first passes pay one-off costs (allocator growth, kernel selection) that are not the model's speed.
        Measure(generator, RandomPrompts(random, options.BatchSize, Math.Min(WarmUpContext, options.ContextLengths.Min()), config.VocabSize), WarmUpTokens);
        var contexts = options.ContextLengths
            .Select(length => Measure(generator, RandomPrompts(random, options.BatchSize, length, config.VocabSize), options.DecodeTokens))
            .ToArray();

        return new GenerationBenchmarkResult(
            config.Architecture, lm.ParameterCount(), options.Device.Name, options.Device.ComputeDType.ToString().ToLowerInvariant(), get_num_threads(),
            options.BatchSize, residentAfterLoad, contexts.Max(c => c.PeakResidentBytes), contexts);
    }

    /// <summary>Times the first step (prefill and its token) apart from the <paramref name="decodeSteps"/> steps after it.</summary>
    static ContextBenchmark Measure(TokenGenerator generator, IReadOnlyList<IReadOnlyList<int>> prompts, int decodeSteps)
    {
        ProcessMemory.ResetPeak();
        var options = SamplingOptions.Greedy with { MaxNewTokens = decodeSteps + 1 };
        using var run = generator.Start(prompts, options, eosTokenIds: []);
        using var steps = run.Steps().GetEnumerator();

        var clock = Stopwatch.StartNew();
        steps.MoveNext();
        double prefill = clock.Elapsed.TotalSeconds;
        clock.Restart();
        while (steps.MoveNext()) { }
        double decode = clock.Elapsed.TotalSeconds;

        int batch = prompts.Count, context = prompts[0].Count;
        return new ContextBenchmark(
            context, decodeSteps, prefill, batch * context / prefill,
            decode, batch * decodeSteps / decode, decode * 1000 / decodeSteps, ProcessMemory.PeakBytes());
    }

    static IReadOnlyList<IReadOnlyList<int>> RandomPrompts(Random random, int batch, int length, int vocabSize) =>
        Enumerable.Range(0, batch).Select(_ => (IReadOnlyList<int>)Enumerable.Range(0, length).Select(_ => random.Next(vocabSize)).ToArray()).ToArray();
}
