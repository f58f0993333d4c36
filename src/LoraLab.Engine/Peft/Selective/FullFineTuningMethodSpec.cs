using System.Text.Json.Nodes;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft.Methods;
using LoraLab.Engine.Playground;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Peft.Selective;

/// <summary>
/// Full fine-tuning: every weight of the base trains. A run saves the whole model as a Hugging Face model folder; a
/// selective fine-tuning folder that selects everything ("full": true) reads as one too.
/// </summary>
public sealed class FullFineTuningMethodSpec : MethodSpec
{
    public override string Name => "full";
    public override string Title => "Full fine-tuning";
    public override string Description => "Trains every weight: the most memory, the most capacity.";
    public override double LearningRate => 2e-5;
    public override string PeftType => SelectiveFineTuningSpec.PeftType;
    public override IReadOnlyList<string> Settings => [];
    public override bool TrainsBaseWeights => true;
    public override bool SavesModelFolder => true;
    /// <summary>It replaces the base's weights, so it runs on a copy of the base.</summary>
    public override AdapterPlacement Placement => AdapterPlacement.OwnCopy;

    public override bool Describes(JsonObject adapterConfig) => base.Describes(adapterConfig) && IsTrue(adapterConfig, "full");

    protected override IEnumerable<MethodFieldError> Problems(MethodOptions options, ModelConfig? model) => [];

    protected override long Count(ModelConfig model, MethodOptions options) => model.ParameterCount();

    protected override IPeftMethod Build(MethodOptions options, ModelConfig model, ITextTokenizer? tokenizer, long seed, string? baseModelName) =>
        new SelectiveFineTuning(SelectiveFineTuningSpec.Everything);

    public override IPeftMethod? Load(CausalLM lm, string adapterDirectory)
    {
        SelectiveFineTuningFiles.Load(lm, adapterDirectory);
        return null;
    }
}
