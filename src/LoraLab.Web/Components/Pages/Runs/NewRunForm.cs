using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Training;
using LoraLab.Web.Training;

namespace LoraLab.Web.Components.Pages.Runs;

/// <summary>
/// The new-run page's fields. The method's, the trainer's and the data's rules are the engine's own (the PEFT configs,
/// TrainingOptions, DataOptions): each rule's message starts with the snake_case field it is about, which is how it finds
/// its field here. The page's own rules cover what those do not see: name, model and dataset, the model's context
/// length, and settings that depend on one another.
/// </summary>
public sealed class NewRunForm
{
    public string Name { get; set; } = "";
    public int? BaseModelId { get; set; }
    public int? DatasetId { get; set; }
    public string Method { get; private set; } = "lora";

    public MethodOptions MethodOptions { get; set; } = new();
    public TrainingOptions Training { get; set; } = new() { LearningRate = MethodChoices.Of("lora").LearningRate };

    /// <summary>Sequence length, packing and the evaluation split; 10% held out unless changed.</summary>
    public DataOptions Data { get; set; } = new() { ValidationFraction = 0.1 };

    /// <summary>Switches method and resets the method's settings and learning rate to that method's defaults.</summary>
    public void SetMethod(string method, ModelConfig? model)
    {
        Method = method;
        MethodOptions = new MethodOptions
        {
            Method = method,
            // LoRA's default, all-linear, spelled out as the picker shows it.
            TargetModules = model is null ? [LoraConfig.AllLinear] : TargetableModules(model),
            // An empty selection trains nothing: start from the last two blocks.
            LastBlocks = method == "selective" ? Math.Min(2, model?.NumHiddenLayers ?? 2) : 0,
        };
        Training = Training with { LearningRate = MethodChoices.Of(method).LearningRate };
    }

    /// <summary>The module names a LoRA adapter can wrap on this model: the attention and MLP projections.</summary>
    /// <remarks>An untied lm_head is a linear layer too, but the engine's CausalLM cannot carry an adapter on it.</remarks>
    public static IReadOnlyList<string> TargetableModules(ModelConfig model) => ParameterLayout.LinearNames(model).Where(n => n != "lm_head").ToList();

    /// <summary>Every field that is wrong, by field name (name, baseModelId, r, batch_size, max_length, …), with its message.</summary>
    public IReadOnlyDictionary<string, string> Validate(ModelConfig? model, bool datasetExists)
    {
        var errors = new Dictionary<string, string>();
        if (string.IsNullOrWhiteSpace(Name)) errors["name"] = "A run needs a name.";
        else if (Name.Trim().Length > RunQueue.MaxNameLength) errors["name"] = $"At most {RunQueue.MaxNameLength} characters, got {Name.Trim().Length}.";
        if (BaseModelId is null) errors["baseModelId"] = "Choose the base model to fine-tune.";
        if (DatasetId is null || !datasetExists) errors["datasetId"] = "Choose the dataset to train on.";

        if (model is not null) CheckEach<MethodOptions, PeftConfigException>(errors, MethodFields, MethodOptions, o => TrainableParameterCount.Of(model, o), "method");
        CheckEach<TrainingOptions, TrainingConfigException>(errors, TrainingFields, Training, o => o.Validate(), "training");
        CheckEach<DataOptions, TrainingConfigException>(errors, DataFields, Data, o => o.Validate(), "data");
        if (model is not null && Data.MaxLength > model.MaxPositionEmbeddings && !errors.ContainsKey("max_length"))
            errors["max_length"] = $"At most the model's context length {model.MaxPositionEmbeddings}, got {Data.MaxLength}.";
        if (Data.ValidationFraction == 0 && Training.EvalSteps is not null && !errors.ContainsKey("eval_steps"))
            errors["eval_steps"] = "Evaluation needs held-out records: set the share held out above 0, or clear this.";
        // The trainer keeps a half-precision base in that dtype, which methods that train the base weights cannot use.
        if (Method is "full" or "selective" && Training.Precision != ComputePrecision.Float32)
            errors["compute_precision"] = $"{Method} fine-tuning trains the base weights, which must then be float32.";
        return errors;
    }

    /// <summary>
    /// Validates the whole options; each error's field is reset to its default and validation repeated, so that every
    /// wrong field gets its own message at once. An error no field claims goes under <paramref name="fallback"/>.
    /// </summary>
    static void CheckEach<TOptions, TException>(
        Dictionary<string, string> errors, IReadOnlyList<(string Field, Func<TOptions, TOptions> Reset)> fields, TOptions options,
        Action<TOptions> validate, string fallback)
        where TException : Exception
    {
        for (int attempt = 0; attempt <= fields.Count; attempt++)
        {
            try
            {
                validate(options);
                return;
            }
            catch (TException e)
            {
                string text = e.Message;
                var field = fields.FirstOrDefault(f => text.StartsWith(f.Field + " ", StringComparison.Ordinal) || text.StartsWith(f.Field + ":", StringComparison.Ordinal));
                if (field.Field is null || errors.ContainsKey(field.Field))
                {
                    errors[fallback] = text;
                    return;
                }
                errors[field.Field] = text;
                options = field.Reset(options);
            }
        }
    }

    static readonly MethodOptions MethodDefaults = new();

    static readonly (string Field, Func<MethodOptions, MethodOptions> Reset)[] MethodFields =
    [
        ("r", o => o with { R = MethodDefaults.R }),
        ("lora_alpha", o => o with { LoraAlpha = MethodDefaults.LoraAlpha }),
        ("lora_dropout", o => o with { LoraDropout = MethodDefaults.LoraDropout }),
        ("target_modules", o => o with { TargetModules = MethodDefaults.TargetModules }),
        ("num_virtual_tokens", o => o with { NumVirtualTokens = MethodDefaults.NumVirtualTokens }),
        ("encoder_hidden_size", o => o with { EncoderHiddenSize = null }),
        ("bottleneck_size", o => o with { BottleneckSize = MethodDefaults.BottleneckSize }),
        ("last_blocks", o => o with { LastBlocks = 0 }),
        ("patterns", o => o with { Patterns = [] }),
    ];

    static readonly TrainingOptions TrainingDefaults = new();

    static readonly (string Field, Func<TrainingOptions, TrainingOptions> Reset)[] TrainingFields =
    [
        ("learning_rate", o => o with { LearningRate = TrainingDefaults.LearningRate }),
        ("warmup_ratio", o => o with { WarmupRatio = TrainingDefaults.WarmupRatio }),
        ("max_steps", o => o with { MaxSteps = null }),
        ("num_train_epochs", o => o with { Epochs = TrainingDefaults.Epochs }),
        ("batch_size", o => o with { BatchSize = TrainingDefaults.BatchSize }),
        ("gradient_accumulation_steps", o => o with { GradientAccumulationSteps = TrainingDefaults.GradientAccumulationSteps }),
        ("max_grad_norm", o => o with { MaxGradNorm = TrainingDefaults.MaxGradNorm }),
        ("weight_decay", o => o with { WeightDecay = TrainingDefaults.WeightDecay }),
        ("eval_steps", o => o with { EvalSteps = null, EarlyStoppingPatience = null }),
        ("save_steps", o => o with { SaveSteps = null }),
    ];

    static readonly DataOptions DataDefaults = new();

    static readonly (string Field, Func<DataOptions, DataOptions> Reset)[] DataFields =
    [
        ("max_length", o => o with { MaxLength = DataDefaults.MaxLength }),
        ("validation_fraction", o => o with { ValidationFraction = DataDefaults.ValidationFraction }),
    ];

    static readonly JsonSerializerOptions SnakeCase = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The MethodOptions fields each method reads; the others keep their defaults and are left out of the stored configuration.</summary>
    static readonly IReadOnlyDictionary<string, string[]> FieldsOfMethod = new Dictionary<string, string[]>
    {
        ["lora"] = ["r", "lora_alpha", "lora_dropout", "target_modules", "use_rslora", "init_lora_weights"],
        ["dora"] = ["r", "lora_alpha", "lora_dropout", "target_modules", "use_rslora", "init_lora_weights"],
        ["qlora"] = ["r", "lora_alpha", "lora_dropout", "target_modules", "use_rslora", "init_lora_weights", "quant_type", "double_quant"],
        ["prompt"] = ["num_virtual_tokens", "prompt_init_text"],
        ["prefix"] = ["num_virtual_tokens", "prefix_projection", "encoder_hidden_size"],
        ["ia3"] = [],
        ["adapter"] = ["bottleneck_size", "non_linearity", "placement"],
        ["selective"] = ["last_blocks", "biases", "norms", "embeddings", "lm_head", "patterns"],
        ["full"] = [],
    };

    /// <summary>
    /// The run's configuration as stored and handed to the executor: the method's options (the fields the method reads)
    /// and the trainer's and data options in snake_case, as FineTuningRun describes a run. Comparing runs then shows only
    /// what matters to each.
    /// </summary>
    public JsonObject Configuration() => new()
    {
        ["method"] = MethodJson(),
        ["training"] = JsonNode.Parse(Training.ToJson()),
        ["data"] = JsonSerializer.SerializeToNode(Data, SnakeCase),
    };

    JsonObject MethodJson()
    {
        var all = JsonSerializer.SerializeToNode(MethodOptions, SnakeCase)!.AsObject();
        var kept = new JsonObject { ["method"] = Method };
        foreach (string field in FieldsOfMethod[Method]) kept[field] = all[field]?.DeepClone();
        return kept;
    }

    /// <summary>The memory the run needs at its peak, from the model's shape, the method and the batch.</summary>
    public MemoryEstimate EstimateMemory(ModelConfig model) => MemoryEstimator.Estimate(model, MethodOptions, Training, Data.MaxLength);
}
