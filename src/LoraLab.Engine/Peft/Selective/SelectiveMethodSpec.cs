using System.Text.Json.Nodes;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft.Methods;
using LoraLab.Engine.Playground;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Peft.Selective;

/// <summary>Selective fine-tuning: unfreezes chosen parts of the base (last blocks, biases as in BitFit, norms, embeddings, head).</summary>
public sealed class SelectiveMethodSpec : MethodSpec
{
    public override string Name => "selective";
    public override string Title => "Selective";
    public override string Description => "Unfreezes chosen parts of the base: last blocks, biases, norms, embeddings, head.";
    public override double LearningRate => 1e-4;
    public override string PeftType => SelectiveFineTuningSpec.PeftType;
    public override IReadOnlyList<string> Settings { get; } = ["last_blocks", "biases", "norms", "embeddings", "lm_head", "patterns"];
    public override bool TrainsBaseWeights => true;
    /// <summary>It replaces some of the base's weights, so it runs on a copy of the base.</summary>
    public override AdapterPlacement Placement => AdapterPlacement.OwnCopy;

    public override bool Describes(JsonObject adapterConfig) => base.Describes(adapterConfig) && !IsTrue(adapterConfig, "full");

    /// <summary>An empty selection trains nothing: a new run starts from the last two blocks.</summary>
    public override MethodOptions DefaultsFor(ModelConfig? model) => base.DefaultsFor(model) with { LastBlocks = Math.Min(2, model?.NumHiddenLayers ?? 2) };

    public static SelectiveFineTuningSpec SpecOf(MethodOptions options) => new()
    {
        LastBlocks = options.LastBlocks, Biases = options.Biases, Norms = options.Norms, Embeddings = options.Embeddings,
        LmHead = options.LmHead, Patterns = options.Patterns,
    };

    protected override IEnumerable<MethodFieldError> Problems(MethodOptions options, ModelConfig? model)
    {
        var spec = SpecOf(options);
        var problems = spec.Problems(model).Select(p => new MethodFieldError(p.Field == "selection" ? MethodFieldError.Whole : p.Field, p.Message)).ToList();
        if (model is not null && problems.Count == 0 && !ParameterLayout.Parameters(model).Any(p => spec.Selects(p.Name, model)))
            problems.Add(new MethodFieldError(MethodFieldError.Whole, $"{spec.Describe()} selects no parameter of this {model.Architecture}."));
        return problems;
    }

    protected override long Count(ModelConfig model, MethodOptions options)
    {
        var spec = SpecOf(options);
        return ParameterLayout.Parameters(model).Where(p => spec.Selects(p.Name, model)).Sum(p => p.Count);
    }

    protected override IPeftMethod Build(MethodOptions options, ModelConfig model, ITextTokenizer? tokenizer, long seed, string? baseModelName) =>
        new SelectiveFineTuning(SpecOf(options));

    public override IPeftMethod? Load(CausalLM lm, string adapterDirectory)
    {
        SelectiveFineTuningFiles.Load(lm, adapterDirectory);
        return null;
    }
}
