using System.Text.Json;
using System.Text.Json.Nodes;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Engine.Playground;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Peft.Methods;

/// <summary>
/// Everything the studio knows about one fine-tuning method, in one place (PEFT's per-tuner config and its
/// <c>PeftType</c> mapping are the model): its name and title, the <see cref="MethodOptions"/> fields it reads and
/// their defaults, the rules they must follow, what it trains and costs, how its adapters are told apart, loaded,
/// merged, combined, and where they run beside a shared base. Registered once in <see cref="MethodRegistry"/>.
/// </summary>
public abstract class MethodSpec
{
    /// <summary>The name runs, the API and the CLI use: lora, dora, qlora, prompt, prefix, ia3, adapter, selective, full.</summary>
    public abstract string Name { get; }

    /// <summary>What people call it: "LoRA", "Prefix tuning".</summary>
    public abstract string Title { get; }

    /// <summary>One sentence on what it trains, for the new-run page.</summary>
    public abstract string Description { get; }

    /// <summary>The learning rate it usually trains well at, the new run's default.</summary>
    public abstract double LearningRate { get; }

    /// <summary>The <c>peft_type</c> its saved adapter folders declare.</summary>
    public abstract string PeftType { get; }

    /// <summary>The snake_case <see cref="MethodOptions"/> fields it reads; the others are ignored and not stored.</summary>
    public abstract IReadOnlyList<string> Settings { get; }

    /// <summary>Whether its adapters fold into the base weights (PEFT's merge_and_unload).</summary>
    public virtual bool Merges => false;

    /// <summary>Whether its adapters can be combined into a new one with weights (PEFT's add_weighted_adapter).</summary>
    public virtual bool Combines => false;

    /// <summary>Whether it trains the base's own weights rather than adding parameters (which must then be float32).</summary>
    public virtual bool TrainsBaseWeights => false;

    /// <summary>Whether its trained result is saved as a whole Hugging Face model folder rather than an adapter folder.</summary>
    public virtual bool SavesModelFolder => false;

    /// <summary>Where its adapters run beside a shared base (playground, serving) unless their config says otherwise.</summary>
    public abstract AdapterPlacement Placement { get; }

    /// <summary>Whether a saved adapter with this adapter_config.json is one of this method's (adapter type → method).</summary>
    public virtual bool Describes(JsonObject adapterConfig) => PeftTypeOf(adapterConfig) == PeftType;

    /// <summary>Where an adapter of this method with this adapter_config.json runs beside a shared base.</summary>
    public virtual AdapterPlacement PlacementOf(JsonObject adapterConfig) => Placement;

    /// <summary>The settings a new run of this method starts from on <paramref name="model"/> (null: not chosen yet).</summary>
    public virtual MethodOptions DefaultsFor(ModelConfig? model) => new() { Method = Name };

    /// <summary>
    /// Every wrong setting at once, by field; never throws for bad input. <paramref name="model"/>, when known, also
    /// checks the settings against its layers.
    /// </summary>
    public IReadOnlyList<MethodFieldError> Validate(MethodOptions options, ModelConfig? model)
    {
        if (options.Method != Name)
            return [new MethodFieldError(MethodFieldError.Whole, $"These are {options.Method} settings, not {Name} settings.")];
        var errors = new List<MethodFieldError>();
        foreach (var error in Problems(options, model))
            if (!errors.Any(e => e.Field == error.Field)) errors.Add(error);
        return errors;
    }

    /// <summary>The rules of this method's settings, each error naming its field (the first one per field is kept).</summary>
    protected abstract IEnumerable<MethodFieldError> Problems(MethodOptions options, ModelConfig? model);

    /// <summary>How many parameters it will train on <paramref name="model"/>: equals <see cref="PeftMethod.Count"/> after Attach.</summary>
    /// <exception cref="PeftConfigException">A setting is wrong for this model: the first of <see cref="Validate"/>'s messages.</exception>
    public long TrainableParameters(ModelConfig model, MethodOptions options)
    {
        ThrowIfInvalid(options, model);
        return Count(model, options);
    }

    /// <summary>The count for valid settings.</summary>
    protected abstract long Count(ModelConfig model, MethodOptions options);

    /// <summary>Bits per base weight in memory when the rest computes in <paramref name="computeBits"/>: the same, unless it quantises the base.</summary>
    public virtual double BaseWeightBits(ModelConfig model, double computeBits) => computeBits;

    /// <summary>Whether training keeps each adapted layer's output as well (DoRA's magnitude scaling): a memory term per block.</summary>
    public virtual bool KeepsAdaptedOutputs => false;

    /// <summary>The method that trains these settings, not yet attached.</summary>
    /// <param name="tokenizer">Needed only to initialise prompt tuning from a text.</param>
    /// <exception cref="PeftConfigException">A setting is wrong: the first of <see cref="Validate"/>'s messages.</exception>
    public IPeftMethod Create(MethodOptions options, ModelConfig model, ITextTokenizer? tokenizer, long seed, string? baseModelName = null)
    {
        ThrowIfInvalid(options, null);
        return Build(options, model, tokenizer, seed, baseModelName);
    }

    protected abstract IPeftMethod Build(MethodOptions options, ModelConfig model, ITextTokenizer? tokenizer, long seed, string? baseModelName);

    /// <summary>Loads the adapter folder onto <paramref name="lm"/>; returns the method when its forward pass differs from the model's (soft prompts).</summary>
    public abstract IPeftMethod? Load(CausalLM lm, string adapterDirectory);

    void ThrowIfInvalid(MethodOptions options, ModelConfig? model)
    {
        if (Validate(options, model) is [var first, ..]) throw new PeftConfigException(first.Message);
    }

    /// <summary>The adapter_config.json's peft_type, LORA when absent, as PEFT assumes; null when it is not a string.</summary>
    protected static string? PeftTypeOf(JsonObject adapterConfig) => adapterConfig["peft_type"] switch
    {
        null => "LORA",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => null,
    };

    /// <summary>A field of adapter_config.json that is true (not merely present).</summary>
    protected static bool IsTrue(JsonObject adapterConfig, string field) => adapterConfig[field] is JsonValue v && v.GetValueKind() == JsonValueKind.True;

    /// <summary>The errors of a config's rules as field errors; the config's Problems() name each field.</summary>
    protected static IEnumerable<MethodFieldError> Fields(IEnumerable<(string Field, string Message)> problems) =>
        problems.Select(p => new MethodFieldError(p.Field, p.Message));
}
