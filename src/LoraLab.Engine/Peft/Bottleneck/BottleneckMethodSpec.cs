using LoraLab.Engine.Models;
using LoraLab.Engine.Peft.Methods;
using LoraLab.Engine.Playground;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Peft.Bottleneck;

/// <summary>Bottleneck adapters (Houlsby et al. 2019): small down/up projections after the attention and MLP outputs.</summary>
public sealed class BottleneckMethodSpec : MethodSpec
{
    public override string Name => "adapter";
    public override string Title => "Bottleneck adapters";
    public override string Description => "Small down/up projections after attention and MLP outputs (Houlsby).";
    public override double LearningRate => 5e-4;
    public override string PeftType => BottleneckConfig.PeftType;
    public override IReadOnlyList<string> Settings { get; } = ["bottleneck_size", "non_linearity", "placement"];
    /// <summary>Its projections change the base's layers for every row, so it runs on a copy of the base.</summary>
    public override AdapterPlacement Placement => AdapterPlacement.OwnCopy;

    public static BottleneckConfig ConfigOf(MethodOptions options, string? baseModelName = null) => new()
    {
        BottleneckSize = options.BottleneckSize,
        NonLinearity = options.NonLinearity,
        Placement = options.Placement,
        BaseModelNameOrPath = baseModelName,
    };

    protected override IEnumerable<MethodFieldError> Problems(MethodOptions options, ModelConfig? model) => Fields(ConfigOf(options).Problems());

    protected override long Count(ModelConfig model, MethodOptions options)
    {
        var config = ConfigOf(options);
        long b = config.BottleneckSize;
        // down (out → b) and up (b → out), with biases, on the layer's output.
        return ParameterLayout.Linears(model).Where(l => config.Targets(l.Path)).Sum(l => 2 * b * l.OutFeatures + b + l.OutFeatures);
    }

    protected override IPeftMethod Build(MethodOptions options, ModelConfig model, ITextTokenizer? tokenizer, long seed, string? baseModelName) =>
        new BottleneckMethod(ConfigOf(options, baseModelName), seed);

    public override IPeftMethod? Load(CausalLM lm, string adapterDirectory)
    {
        BottleneckFiles.Load(lm, adapterDirectory);
        return null;
    }
}
