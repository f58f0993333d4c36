using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Methods;
using LoraLab.Engine.Training;

namespace LoraLab.Web.Training;

/// <summary>One wrong setting: its section (method, training or data), its snake_case field, and the sentence saying why.</summary>
public sealed record SettingError(string Section, string Field, string Message)
{
    /// <summary>The key a ProblemDetails response names it by: <c>configuration.training.learning_rate</c>.</summary>
    public string Key => Field == Section ? $"configuration.{Section}" : $"configuration.{Section}.{Field}";
}

/// <summary>
/// A run's settings as the engine's option records, and the one place they are checked: the new-run page and
/// <c>POST /api/runs</c> both ask <see cref="Check"/>. The method's rules are its spec's validator, which names each
/// field; the trainer's and the data's are the engine's own (TrainingOptions, DataOptions), whose messages start with
/// the snake_case field they are about, which is how their field is found. The rules here cover settings that depend
/// on one another or on the model.
/// </summary>
public sealed record RunSettings(MethodOptions Method, TrainingOptions Training, DataOptions Data)
{
    static readonly JsonSerializerOptions SnakeCase = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    static readonly IReadOnlyDictionary<string, IReadOnlySet<string>> FieldsOfSection = new Dictionary<string, IReadOnlySet<string>>
    {
        ["method"] = JsonSerializer.SerializeToNode(new MethodOptions(), SnakeCase)!.AsObject().Select(kv => kv.Key).ToHashSet(),
        ["training"] = JsonNode.Parse(new TrainingOptions().ToJson())!.AsObject().Select(kv => kv.Key).ToHashSet(),
        ["data"] = JsonSerializer.SerializeToNode(new DataOptions(), SnakeCase)!.AsObject().Select(kv => kv.Key).ToHashSet(),
    };

    /// <summary>
    /// Reads a posted configuration strictly: a key that is no setting (a flat <c>{"r": 8}</c> outside the "method"
    /// section, a misspelt field, a value of the wrong type) is an error naming it, never silently the default.
    /// </summary>
    public static (RunSettings? Settings, IReadOnlyList<SettingError> Errors) Read(JsonObject? configuration, string methodKind)
    {
        var errors = new List<SettingError>();
        configuration ??= [];
        foreach (var (key, _) in configuration)
            if (!FieldsOfSection.ContainsKey(key))
                errors.Add(new SettingError(key, key, FieldsOfSection.Values.Any(f => f.Contains(key))
                    ? $"'{key}' belongs in a section: the configuration holds \"method\", \"training\" and \"data\", e.g. {{\"{SectionOf(key)}\": {{\"{key}\": …}}}}."
                    : $"'{key}' is no section of a run's configuration: use \"method\", \"training\" and \"data\"."));

        var method = Section(configuration, "method", errors, json => json.Deserialize<MethodOptions>(SnakeCase));
        var training = Section(configuration, "training", errors, json => TrainingOptions.ParseUnvalidated(json.ToJsonString(), "training"));
        var data = Section(configuration, "data", errors, json => json.Deserialize<DataOptions>(SnakeCase));
        if (method is not null && configuration["method"]?["method"] is not null && method.Method != methodKind)
            errors.Add(new SettingError("method", "method", $"The configuration says method '{method.Method}' but the run's method is '{methodKind}'; give it once."));
        return errors.Count > 0 || method is null || training is null || data is null
            ? (null, errors)
            : (new RunSettings(method with { Method = methodKind }, training, data), errors);
    }

    static string SectionOf(string field) => FieldsOfSection.First(s => s.Value.Contains(field)).Key;

    static T? Section<T>(JsonObject configuration, string name, List<SettingError> errors, Func<JsonObject, T?> read) where T : class, new()
    {
        switch (configuration[name])
        {
            case null: return new T();
            case JsonObject section:
                var unknown = section.Select(kv => kv.Key).Where(k => !FieldsOfSection[name].Contains(k)).ToList();
                foreach (var key in unknown)
                    errors.Add(new SettingError(name, key, $"'{key}' is no {name} setting; known: {string.Join(", ", FieldsOfSection[name].Order())}."));
                if (unknown.Count > 0) return null;
                try { return read(section) ?? new T(); }
                catch (Exception e) when (e is JsonException or TrainingConfigException)
                {
                    errors.Add(new SettingError(name, name, $"The {name} settings cannot be read: {e.Message}"));
                    return null;
                }
            default:
                errors.Add(new SettingError(name, name, $"\"{name}\" must be a JSON object of settings."));
                return null;
        }
    }

    /// <summary>Every wrong setting at once; <paramref name="model"/>, when known, also checks the method against its layers and context.</summary>
    public IReadOnlyList<SettingError> Check(ModelConfig? model)
    {
        var errors = new List<SettingError>();
        errors.AddRange(MethodRegistry.Validate(Method, model).Select(e => new SettingError("method", e.Field, e.Message)));
        CheckEach<TrainingOptions, TrainingConfigException>(errors, "training", TrainingFields, Training, o => o.Validate());
        CheckEach<DataOptions, TrainingConfigException>(errors, "data", DataFields, Data, o => o.Validate());
        bool Has(string field) => errors.Any(e => e.Field == field);
        if (model is not null && Data.MaxLength > model.MaxPositionEmbeddings && !Has("max_length"))
            errors.Add(new SettingError("data", "max_length", $"At most the model's context length {model.MaxPositionEmbeddings}, got {Data.MaxLength}."));
        if (Data.ValidationFraction == 0 && Training.EvalSteps is not null && !Has("eval_steps"))
            errors.Add(new SettingError("training", "eval_steps", "Evaluation needs held-out records: set the share held out above 0, or clear this."));
        // The trainer keeps a half-precision base in that dtype, which methods that train the base weights cannot use.
        if (MethodRegistry.Find(Method.Method) is { TrainsBaseWeights: true } && Training.Precision != ComputePrecision.Float32)
            errors.Add(new SettingError("training", "compute_precision", $"{Method.Method} fine-tuning trains the base weights, which must then be float32."));
        return errors;
    }

    /// <summary>
    /// Validates the whole options; each error's field is reset to its default and validation repeated, so that every
    /// wrong field gets its own message at once. An error no field claims is the section's.
    /// </summary>
    static void CheckEach<TOptions, TException>(List<SettingError> errors, string section,
        IReadOnlyList<(string Field, Func<TOptions, TOptions> Reset)> fields, TOptions options, Action<TOptions> validate)
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
                if (field.Field is null || errors.Any(x => x.Field == field.Field))
                {
                    errors.Add(new SettingError(section, section, text));
                    return;
                }
                errors.Add(new SettingError(section, field.Field, text));
                options = field.Reset(options);
            }
        }
    }

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
}
