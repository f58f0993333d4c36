using System.Text.Json;
using System.Text.Json.Nodes;
using LoraLab.Web.Adapters;

namespace LoraLab.Web.Components.Pages.Adapters;

/// <summary>How the library pages write an adapter's stored JSON: target modules and final metrics.</summary>
public static class AdapterText
{
    /// <summary>"q_proj, v_proj", a pattern as written, or "–".</summary>
    public static string TargetModules(AdapterSummary adapter) => adapter.TargetModules switch
    {
        JsonArray list => string.Join(", ", list.Select(n => n?.ToString())),
        JsonValue pattern when pattern.GetValueKind() == JsonValueKind.String => pattern.GetValue<string>(),
        _ => "–",
    };

    /// <summary>A final metric of the run that trained the adapter (trainLoss, evalLoss, perplexity, tokensPerSecond), or null.</summary>
    public static double? Metric(AdapterSummary adapter, string name) =>
        adapter.Metrics?[name] is JsonValue value && value.TryGetValue(out double number) ? number : null;
}
