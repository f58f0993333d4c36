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
/// field; the trainer's and the data's are the engine's own (<see cref="TrainingOptions.Problems"/>,
/// <see cref="DataOptions.Problems"/>). The rules here cover settings that depend on one another or on the model.
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

    /// <summary>
    /// The configuration as it is stored with the run and shown on its page: the fields the method reads (its name is
    /// the run's own column, stored once) and every training and data setting, in snake_case.
    /// </summary>
    public JsonObject ToConfiguration()
    {
        var all = JsonSerializer.SerializeToNode(Method, SnakeCase)!.AsObject();
        var method = new JsonObject();
        // The method's own fields; the others keep their defaults and are left out, so comparing runs shows only what matters to each.
        foreach (string field in MethodRegistry.Get(Method.Method).Settings) method[field] = all[field]?.DeepClone();
        return new JsonObject
        {
            ["method"] = method,
            ["training"] = JsonNode.Parse(Training.ToJson()),
            ["data"] = JsonSerializer.SerializeToNode(Data, SnakeCase),
        };
    }

    /// <summary>
    /// A stored configuration read back (<see cref="ToConfiguration"/> wrote it; a missing section or field is its
    /// default, and runs stored before the method lived only in <paramref name="methodKind"/> may still name it).
    /// </summary>
    /// <exception cref="TrainingConfigException">A section is not the JSON of its settings.</exception>
    public static RunSettings FromStored(JsonObject configuration, string methodKind)
    {
        T Stored<T>(string name, Func<JsonObject, T?> read) where T : class, new()
        {
            try { return configuration[name] is JsonObject section ? read(section) ?? new T() : new T(); }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                throw new TrainingConfigException($"The stored {name} settings cannot be read: {e.Message}");
            }
        }
        return new RunSettings(
            Stored("method", json => json.Deserialize<MethodOptions>(SnakeCase)) with { Method = methodKind },
            Stored("training", json => TrainingOptions.ParseUnvalidated(json.ToJsonString(), "The stored training settings")),
            Stored("data", json => json.Deserialize<DataOptions>(SnakeCase)));
    }

    /// <summary>
    /// The peak memory the run needs by the engine's estimate (what the new-run page shows) on the model in
    /// <paramref name="modelFolder"/>; null when its config.json or these settings cannot be estimated.
    /// </summary>
    public long? MemoryEstimate(string modelFolder)
    {
        try
        {
            return MemoryEstimator.Estimate(ModelConfig.Load(modelFolder), Method, Training, Data.MaxLength).Total;
        }
        catch (Exception)
        {
            // Whatever is wrong with the run fails the run when it trains, with the engine's message; the estimate
            // only chooses a device, and a run that cannot be estimated must not hold up the queue.
            return null;
        }
    }

    /// <summary>Every wrong setting at once; <paramref name="model"/>, when known, also checks the method against its layers and context.</summary>
    public IReadOnlyList<SettingError> Check(ModelConfig? model)
    {
        var errors = new List<SettingError>();
        errors.AddRange(MethodRegistry.Validate(Method, model).Select(e => new SettingError("method", e.Field, e.Message)));
        errors.AddRange(Training.Problems().Select(p => new SettingError("training", p.Field, p.Message)));
        errors.AddRange(Data.Problems().Select(p => new SettingError("data", p.Field, p.Message)));
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
}
