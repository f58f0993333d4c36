using LoraLab.Engine.Models;
using LoraLab.Engine.Peft.Methods;
using LoraLab.Engine.Playground;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Peft.Ia3;

/// <summary>(IA)³ (Liu et al. 2022): learned vectors that rescale keys, values and the MLP's input to down_proj.</summary>
public sealed class Ia3MethodSpec : MethodSpec
{
    public override string Name => "ia3";
    public override string Title => "(IA)³";
    public override string Description => "Learned vectors that rescale keys, values and the MLP; the fewest parameters.";
    public override double LearningRate => 3e-3;
    public override string PeftType => Ia3Config.PeftType;
    public override IReadOnlyList<string> Settings => [];
    /// <summary>Its vectors scale the base's layers for every row, so it runs on a copy of the base.</summary>
    public override AdapterPlacement Placement => AdapterPlacement.OwnCopy;

    protected override IEnumerable<MethodFieldError> Problems(MethodOptions options, ModelConfig? model) => [];

    protected override long Count(ModelConfig model, MethodOptions options)
    {
        var config = Ia3Config.For(model.Family);
        // One vector per adapted layer: over its input for the feed-forward layer, over its output for the others.
        return ParameterLayout.Linears(model).Where(l => config.Targets(l.Path))
            .Sum(l => config.IsFeedforward(l.Path) ? l.InFeatures : l.OutFeatures);
    }

    protected override IPeftMethod Build(MethodOptions options, ModelConfig model, ITextTokenizer? tokenizer, long seed, string? baseModelName) =>
        new Ia3Method(Ia3Config.For(model.Family) with { BaseModelNameOrPath = baseModelName });

    public override IPeftMethod? Load(CausalLM lm, string adapterDirectory)
    {
        Ia3Files.Load(lm, adapterDirectory);
        return null;
    }
}
