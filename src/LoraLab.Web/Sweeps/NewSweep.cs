using System.Text.Json.Nodes;
using LoraLab.Web.Data.Entities;

namespace LoraLab.Web.Sweeps;

/// <summary>
/// A sweep to queue, as a script or the new-run page sends it: a run's fields (its name becomes each run's name with the
/// combination added), the settings to vary, and how to rank the runs. Every field is nullable so that a missing one is
/// reported by name with the others.
/// </summary>
/// <param name="Mode">Grid (the default) or Random.</param>
/// <param name="Budget">Random mode: how many distinct combinations to draw.</param>
/// <param name="Seed">Random mode: the seed of the draw; one is chosen and kept when omitted.</param>
/// <param name="RankMetric">eval_loss (the default), train_loss or perplexity; lower is better for each.</param>
public sealed record NewSweep(
    string? Name,
    int? BaseModelId,
    int? DatasetId,
    string? Method,
    JsonObject? Configuration,
    IReadOnlyList<SweptSetting>? Settings,
    SweepMode? Mode = null,
    int? Budget = null,
    int? Seed = null,
    string? RankMetric = null);
