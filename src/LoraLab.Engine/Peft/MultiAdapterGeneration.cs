using LoraLab.Engine.Generation;
using LoraLab.Engine.Models;

namespace LoraLab.Engine.Peft;

/// <summary>
/// Generates for several prompts at once, each with its own adapter or none, in one batched KV-cache run on a shared base
/// (an <see cref="AdapterRouting"/> around a <see cref="TokenGenerator"/> run): side-by-side comparison of adapters.
/// </summary>
public static class MultiAdapterGeneration
{
    /// <summary>Starts the run; enumerate <see cref="RoutedGenerationRun.Steps"/> to stream it. Disposing the run removes the routing.</summary>
    /// <param name="adapters">One adapter name per prompt; null generates with the base model alone.</param>
    public static RoutedGenerationRun Start(CausalLM lm, IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<string?> adapters,
        SamplingOptions options, IEnumerable<int> eosTokenIds, Func<IReadOnlyList<int>, string>? decode = null, int? padTokenId = null)
    {
        if (adapters.Count != prompts.Count)
            throw new ArgumentException($"Each of the {prompts.Count} prompts needs an adapter name (or null), got {adapters.Count}.");
        var routing = AdapterRouting.PerRow(lm, adapters);
        try
        {
            return new RoutedGenerationRun(new TokenGenerator(lm).Start(prompts, options, eosTokenIds, decode, padTokenId), routing);
        }
        catch
        {
            routing.Dispose();
            throw;
        }
    }

    /// <summary>As <see cref="Start(CausalLM, IReadOnlyList{IReadOnlyList{int}}, IReadOnlyList{string?}, SamplingOptions, IEnumerable{int}, Func{IReadOnlyList{int}, string}?, int?)"/>, each row sampling with its own options and seed.</summary>
    public static RoutedGenerationRun Start(CausalLM lm, IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<string?> adapters,
        IReadOnlyList<SamplingOptions> rowOptions, IEnumerable<int> eosTokenIds, Func<IReadOnlyList<int>, string>? decode = null, int? padTokenId = null)
    {
        if (adapters.Count != prompts.Count)
            throw new ArgumentException($"Each of the {prompts.Count} prompts needs an adapter name (or null), got {adapters.Count}.");
        var routing = AdapterRouting.PerRow(lm, adapters);
        try
        {
            return new RoutedGenerationRun(new TokenGenerator(lm).Start(prompts, rowOptions, eosTokenIds, decode, padTokenId), routing);
        }
        catch
        {
            routing.Dispose();
            throw;
        }
    }

    /// <summary>Generates to the end (or until cancelled) and returns every row's output.</summary>
    public static IReadOnlyList<GenerationResult> Generate(CausalLM lm, IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<string?> adapters,
        SamplingOptions options, IEnumerable<int> eosTokenIds, Func<IReadOnlyList<int>, string>? decode = null, CancellationToken cancellationToken = default)
    {
        using var run = Start(lm, prompts, adapters, options, eosTokenIds, decode);
        foreach (var _ in run.Steps(cancellationToken)) { }
        return run.Results;
    }
}

/// <summary>A <see cref="GenerationRun"/> whose rows are routed to their adapters for as long as it lives.</summary>
public sealed class RoutedGenerationRun(GenerationRun run, AdapterRouting routing) : IDisposable
{
    public AdapterRouting Routing => routing;
    public bool IsFinished => run.IsFinished;
    public IReadOnlyList<GenerationResult> Results => run.Results;
    public IEnumerable<GenerationStep> Steps(CancellationToken cancellationToken = default) => run.Steps(cancellationToken);

    public void Dispose()
    {
        run.Dispose();
        routing.Dispose();
    }
}
