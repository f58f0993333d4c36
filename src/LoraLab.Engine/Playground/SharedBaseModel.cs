using LoraLab.Engine.Data;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Evaluation;
using LoraLab.Engine.Evaluation.Benchmarks;
using LoraLab.Engine.Generation;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Lora;

using static TorchSharp.torch;

namespace LoraLab.Engine.Playground;

/// <summary>
/// One base model in memory with many adapters loaded onto it by name, to compare them on the same prompts: LoRA and
/// DoRA adapters share the base's weights and answer in one routed batch with the base-only rows (each row its own
/// adapter); prompt and prefix tuning share the base but need a batch of their own; adapters that change the base's
/// layers for every row get a copy of the base (see <see cref="AdapterPlacement"/>). Not thread-safe: one caller at a time.
/// </summary>
public sealed class SharedBaseModel : IDisposable
{
    readonly ComputeDevice device;
    readonly Dictionary<string, LoadedColumn> adapters = new(StringComparer.Ordinal);

    SharedBaseModel(LanguageModel baseModel, ComputeDevice device)
    {
        Base = baseModel;
        this.device = device;
    }

    /// <summary>The base model with every LoRA adapter inactive; its network's rows are routed during a generation.</summary>
    public LanguageModel Base { get; }

    public IReadOnlyCollection<string> AdapterNames => adapters.Keys;

    /// <exception cref="ModelLoadException">The folder's files cannot be loaded.</exception>
    public static SharedBaseModel Open(string modelDirectory, ComputeDevice device) =>
        ModelLoadException.From(() => new SharedBaseModel(LanguageModel.Open(modelDirectory, device), device));

    public bool Has(string adapterName) => adapters.ContainsKey(adapterName);

    public AdapterPlacement PlacementOf(string adapterName) => Find(adapterName).Placement;

    /// <summary>Loads the adapter folder under <paramref name="name"/>, choosing its placement by its kind.</summary>
    /// <exception cref="ModelLoadException">The folder's files cannot be loaded onto this base.</exception>
    public AdapterPlacement Load(string name, string adapterDirectory)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Contains('.'))
            throw new ArgumentException($"Adapter name '{name}' must be non-empty and without dots (it names a module).");
        if (adapters.ContainsKey(name)) throw new ArgumentException($"An adapter named '{name}' is already loaded.");
        var column = ModelLoadException.From(() => AdapterPlacements.Of(adapterDirectory) switch
        {
            AdapterPlacement.Routed => LoadRouted(name, adapterDirectory),
            AdapterPlacement.SoftPrompt => new LoadedColumn(AdapterPlacement.SoftPrompt, AdapterFiles.Load(Base.Network, adapterDirectory), null),
            _ => new LoadedColumn(AdapterPlacement.OwnCopy, null, LanguageModel.Open(Base.Directory, device, adapterDirectory)),
        });
        adapters[name] = column;
        return column.Placement;
    }

    LoadedColumn LoadRouted(string name, string adapterDirectory)
    {
        PeftLoraFiles.Load(Base.Network, adapterDirectory, name);
        LoraInjection.SetActive(Base.Network, null);
        return new LoadedColumn(AdapterPlacement.Routed, null, null);
    }

    /// <summary>
    /// Starts generating every prompt with its adapter (null: the base alone) and its own sampling options: the
    /// routed rows in one batch, then one batch per other adapter.
    /// </summary>
    public SideBySideRun Start(IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<string?> rowAdapters, IReadOnlyList<SamplingOptions> rowOptions,
        IEnumerable<int> eosTokenIds, Func<IReadOnlyList<int>, string>? decode = null)
    {
        if (rowAdapters.Count != prompts.Count || rowOptions.Count != prompts.Count)
            throw new ArgumentException($"Each of the {prompts.Count} prompts needs an adapter (or null) and sampling options; got {rowAdapters.Count} and {rowOptions.Count}.");
        foreach (var name in rowAdapters.OfType<string>()) Find(name);
        foreach (var options in rowOptions) options.Validate();
        var eos = eosTokenIds.ToArray();

        var passes = new List<PlannedPass>();
        var routed = Enumerable.Range(0, prompts.Count).Where(r => rowAdapters[r] is not { } name || adapters[name].Placement == AdapterPlacement.Routed).ToArray();
        if (routed.Length > 0)
            passes.Add(new PlannedPass(routed, () =>
            {
                var run = MultiAdapterGeneration.Start(Base.Network, Pick(prompts, routed), Pick(rowAdapters, routed), Pick(rowOptions, routed), eos, decode);
                return new PassRun(run.Steps, () => run.Results, run);
            }));
        foreach (var group in Enumerable.Range(0, prompts.Count).Except(routed).GroupBy(r => rowAdapters[r]!))
        {
            var rows = group.ToArray();
            var column = adapters[group.Key];
            passes.Add(new PlannedPass(rows, () =>
            {
                var network = column.Copy?.Network ?? Base.Network;
                var run = new TokenGenerator(network).Start(Pick(prompts, rows), Pick(rowOptions, rows), eos, decode,
                    virtualTokens: column.SoftPrompt?.VirtualTokens);
                return new PassRun(run.Steps, () => run.Results, run);
            }));
        }
        return new SideBySideRun(prompts.Count, passes);
    }

    /// <summary>
    /// Where a request for <paramref name="adapterName"/> (null: the base alone) runs in a continuous batch: routed LoRA
    /// and DoRA rows and soft-prompt rows on the base's network (the latter with their virtual tokens), the rest on their copy.
    /// </summary>
    public BatchTarget TargetOf(string? adapterName)
    {
        if (adapterName is null) return new BatchTarget(Base.Network, null, null);
        var column = Find(adapterName);
        return column.Placement switch
        {
            AdapterPlacement.Routed => new BatchTarget(Base.Network, adapterName, null),
            AdapterPlacement.SoftPrompt => new BatchTarget(Base.Network, null, column.SoftPrompt!.VirtualTokens),
            _ => new BatchTarget(column.Copy!.Network, null, null),
        };
    }

    /// <summary>Loss and perplexity of the base with <paramref name="adapterName"/> (null: none) on the examples' labelled tokens.</summary>
    public EvaluationResult Loss(string? adapterName, IReadOnlyList<TrainingExample> examples, CancellationToken cancellation = default) =>
        WithAdapter(adapterName, (network, forward) => CompletionLossEvaluator.Evaluate(network, examples, forward, cancellation: cancellation));

    /// <summary>The base with <paramref name="adapterName"/> (null: none) scored on multiple-choice questions by log-likelihood.</summary>
    public MultipleChoiceResult MultipleChoice(string? adapterName, IReadOnlyList<MultipleChoiceQuestion> questions, CancellationToken cancellation = default) =>
        WithAdapter(adapterName, (network, forward) => MultipleChoiceScorer.Score(network, Base.Tokenizer, questions,
            forward is null ? null : ids => forward(ids, null), cancellation: cancellation));

    /// <summary>
    /// Runs <paramref name="evaluate"/> on the network that answers for <paramref name="adapterName"/>, with the forward
    /// pass (logits (B, T, V) for ids (B, T) and their key mask) the adapter needs, null for the network's own.
    /// </summary>
    T WithAdapter<T>(string? adapterName, Func<CausalLM, Func<Tensor, Tensor?, Tensor>?, T> evaluate)
    {
        if (adapterName is null) return evaluate(Base.Network, null);
        var column = Find(adapterName);
        switch (column.Placement)
        {
            case AdapterPlacement.Routed:
                LoraInjection.SetActive(Base.Network, adapterName);
                try { return evaluate(Base.Network, null); }
                finally { LoraInjection.SetActive(Base.Network, null); }
            case AdapterPlacement.SoftPrompt:
                return evaluate(Base.Network, (ids, mask) => column.SoftPrompt!.Forward(Base.Network, ids, mask));
            default:
                var copy = column.Copy!;
                return evaluate(copy.Network, (ids, mask) => copy.Adapter!.Forward(copy.Network, ids, mask));
        }
    }

    LoadedColumn Find(string adapterName) => adapters.TryGetValue(adapterName, out var column) ? column
        : throw new ArgumentException($"No adapter named '{adapterName}' is loaded; loaded: {(adapters.Count == 0 ? "none" : string.Join(", ", adapters.Keys.Order(StringComparer.Ordinal)))}.");

    static T[] Pick<T>(IReadOnlyList<T> items, int[] rows) => rows.Select(r => items[r]).ToArray();

    public void Dispose()
    {
        foreach (var column in adapters.Values) column.Copy?.Dispose();
        Base.Dispose();
    }

    sealed record LoadedColumn(AdapterPlacement Placement, LoadedAdapter? SoftPrompt, LanguageModel? Copy);
}
