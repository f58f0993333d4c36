using System.Text.Json;
using System.Text.Json.Nodes;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Training;

namespace LoraLab.Cli;

/// <summary>
/// train --config: the method, training and data sections of a run_config.json (as <see cref="FineTuningRun.Describe"/>
/// writes it, and as the studio submits runs to a Slurm cluster), read instead of the method, training and data flags;
/// checked as the flags are.
/// </summary>
static class RunConfigFile
{
    static readonly JsonSerializerOptions SnakeCase = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static (MethodOptions Method, TrainingOptions Training, DataOptions Data) Read(string file)
    {
        var root = JsonNode.Parse(File.ReadAllText(file)) as JsonObject ?? throw new TrainingConfigException($"{file} must hold a JSON object.");
        var method = root["method"]?.Deserialize<MethodOptions>(SnakeCase) ?? throw new TrainingConfigException($"{file} has no \"method\" section.");
        var training = root["training"] is JsonObject t ? TrainingOptions.ParseUnvalidated(t.ToJsonString(), $"{file} training") : new TrainingOptions();
        var data = root["data"]?.Deserialize<DataOptions>(SnakeCase) ?? new DataOptions();
        return (method, training, data);
    }
}
