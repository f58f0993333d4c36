using System.Text.Json;
using System.Text.Json.Nodes;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Training;

namespace LoraLab.Web.Training;

/// <summary>
/// A run's stored configuration read back as the engine's option records: the "method", "training" and "data" sections
/// in snake_case, as the new-run page writes them; a missing section means the engine's defaults.
/// </summary>
public static class RunConfiguration
{
    static readonly JsonSerializerOptions SnakeCase = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static MethodOptions Method(RunRequest request) => Section<MethodOptions>(request.Configuration, "method") with { Method = request.MethodKind };

    public static TrainingOptions Training(RunRequest request) => Training(request.Configuration, $"run {request.RunId} training");

    /// <param name="what">Names the section in the exception's message.</param>
    public static TrainingOptions Training(JsonObject configuration, string what) =>
        configuration["training"] is JsonObject training ? TrainingOptions.FromJson(training.ToJsonString(), what) : new TrainingOptions();

    public static DataOptions Data(RunRequest request) => Data(request.Configuration);

    public static DataOptions Data(JsonObject configuration) => Section<DataOptions>(configuration, "data");

    /// <summary>
    /// The peak memory the run needs by the engine's estimate (what the new-run page shows), from the base model's
    /// config.json and the run's configuration; null when either cannot be read, which the run itself will then report.
    /// </summary>
    public static long? MemoryEstimate(RunRequest request)
    {
        try
        {
            var model = ModelConfig.Load(request.BaseModelFolder);
            return MemoryEstimator.Estimate(model, Method(request), Training(request), Data(request).MaxLength).Total;
        }
        catch (Exception)
        {
            // Whatever is wrong with the run fails the run when it trains, with the engine's message; the estimate
            // only chooses a device, and a run that cannot be estimated must not hold up the queue.
            return null;
        }
    }

    static T Section<T>(JsonObject configuration, string name) where T : new() =>
        configuration[name] is JsonObject section
            ? section.Deserialize<T>(SnakeCase) ?? new T()
            : new T();
}
