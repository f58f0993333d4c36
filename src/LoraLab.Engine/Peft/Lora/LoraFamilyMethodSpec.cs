using System.Text.Json;
using System.Text.Json.Nodes;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft.Methods;
using LoraLab.Engine.Playground;

namespace LoraLab.Engine.Peft.Lora;

/// <summary>
/// What LoRA, DoRA and QLoRA share: the low-rank factors on chosen linear layers (with the rsLoRA scaling and the
/// PiSSA initialisation as options), PEFT's LORA adapter folder, and the rules of <see cref="LoraConfig"/>.
/// </summary>
public abstract class LoraFamilyMethodSpec : MethodSpec
{
    protected static readonly IReadOnlyList<string> LoraSettings = ["r", "lora_alpha", "lora_dropout", "target_modules", "use_rslora", "init_lora_weights"];

    public sealed override string PeftType => "LORA";
    public override IReadOnlyList<string> Settings => LoraSettings;
    public override bool Merges => true;
    public override AdapterPlacement Placement => AdapterPlacement.Routed;

    /// <summary>Whether it trains DoRA's magnitude vector beside the factors.</summary>
    protected virtual bool UsesDora => false;

    /// <summary>
    /// A PiSSA-initialised adapter was trained against the residual W − s·B₀A₀ of its initialisation, which replaces the
    /// base's weights (<see cref="PissaInitialization"/>), so it cannot share them with other rows: it gets a copy.
    /// </summary>
    public override AdapterPlacement PlacementOf(JsonObject adapterConfig) =>
        adapterConfig["init_lora_weights"] is JsonValue v && v.GetValueKind() == JsonValueKind.String
        && new LoraConfig { InitLoraWeights = v.GetValue<string>() }.IsPissa ? AdapterPlacement.OwnCopy : Placement;

    /// <summary>The LoraConfig these settings describe.</summary>
    public LoraConfig ConfigOf(MethodOptions options, string? baseModelName = null) => new()
    {
        R = options.R,
        LoraAlpha = options.LoraAlpha,
        LoraDropout = options.LoraDropout,
        TargetModules = options.TargetModules,
        UseRslora = options.UseRslora,
        UseDora = UsesDora,
        InitLoraWeights = options.InitLoraWeights,
        BaseModelNameOrPath = baseModelName,
    };

    protected override IEnumerable<MethodFieldError> Problems(MethodOptions options, ModelConfig? model)
    {
        var config = ConfigOf(options);
        var problems = Fields(config.Problems()).ToList();
        if (model is not null && !problems.Any(p => p.Field == "target_modules") && !ParameterLayout.Linears(model).Any(l => config.Targets(l.Path)))
            problems.Add(new MethodFieldError("target_modules",
                $"target_modules [{string.Join(", ", options.TargetModules)}] matches no linear layer of this model; its linear layers are: {string.Join(", ", ParameterLayout.LinearNames(model))}."));
        return problems;
    }

    protected override long Count(ModelConfig model, MethodOptions options)
    {
        var config = ConfigOf(options);
        // A (r, in) and B (out, r); DoRA adds the magnitude m (out).
        return ParameterLayout.Linears(model).Where(l => config.Targets(l.Path))
            .Sum(l => options.R * (l.InFeatures + l.OutFeatures) + (UsesDora ? l.OutFeatures : 0));
    }

    public override IPeftMethod? Load(CausalLM lm, string adapterDirectory)
    {
        PeftLoraFiles.Load(lm, adapterDirectory);
        return null;
    }
}
