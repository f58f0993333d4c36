using System.Text.Json.Nodes;

namespace LoraLab.Web.Training;

/// <summary>
/// A run to queue, as a script or the new-run page sends it. Every field is nullable so that a missing one is
/// reported by name with the others, rather than failing the whole request.
/// </summary>
/// <param name="Method">lora, dora, qlora, prompt, prefix, ia3, adapter, selective or full.</param>
/// <param name="Configuration">Hyperparameters as a JSON object; empty when omitted.</param>
public sealed record NewRun(string? Name, int? BaseModelId, int? DatasetId, string? Method, JsonObject? Configuration);
