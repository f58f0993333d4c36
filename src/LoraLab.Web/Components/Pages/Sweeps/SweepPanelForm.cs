using System.Globalization;
using System.Text.Json.Nodes;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Sweeps;

namespace LoraLab.Web.Components.Pages.Sweeps;

/// <summary>
/// The sweep section of the new-run page: up to three settings, each picked by key (<c>training.learning_rate</c>) with
/// its values typed as a comma list, the mode and budget, and the metric to rank by. The run's other fields come from
/// the page's form.
/// </summary>
public sealed class SweepPanelForm
{
    public sealed class Row
    {
        public string? Key { get; set; }
        public string ValuesText { get; set; } = "";
    }

    public List<Row> Rows { get; } = [new()];
    public SweepMode Mode { get; set; } = SweepMode.Grid;
    public int? Budget { get; set; } = 8;
    public int? Seed { get; set; }
    public string RankMetric { get; set; } = SweepMetric.Default;

    /// <summary>The numbers of a comma list (<c>1e-4, 3e-4</c>), or the first entry that is not one.</summary>
    public static (IReadOnlyList<double> Values, string? Error) ParseValues(string? text)
    {
        var values = new List<double>();
        foreach (string entry in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(entry, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                return ([], $"'{entry}' is not a number; separate values with commas, e.g. 1e-4, 3e-4.");
            values.Add(value);
        }
        return (values, null);
    }

    /// <summary>The settings as the sweep service reads them, one per row, so that its errors (<c>settings[1].values</c>) name the rows.</summary>
    public IReadOnlyList<SweptSetting> Settings() => Rows.Select(r =>
    {
        int dot = r.Key?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        var values = ParseValues(r.ValuesText).Values;
        return dot < 0 ? new SweptSetting("", "", values) : new SweptSetting(r.Key![..dot], r.Key[(dot + 1)..], values);
    }).ToList();

    /// <summary>Typing errors by row index: a values text that does not parse.</summary>
    public string? ValuesError(int row) => ParseValues(Rows[row].ValuesText).Error;

    /// <summary>How many runs the sweep would queue, or why it would queue none yet (the plan's first error).</summary>
    public (int Runs, string? Problem) Preview()
    {
        if (Rows.FindIndex(r => r.Key is null) is var unpicked and >= 0) return (0, $"Pick the setting to vary in row {unpicked + 1}.");
        if (Rows.Select((_, i) => ValuesError(i)).FirstOrDefault(e => e is not null) is { } typing) return (0, typing);
        var (points, errors) = SweepPlan.Expand(Settings(), Mode, Budget, Seed ?? 0);
        return (points.Count, errors.Values.SelectMany(m => m).FirstOrDefault());
    }

    public NewSweep Request(string? name, int? baseModelId, int? datasetId, string? method, JsonObject? configuration) =>
        new(name, baseModelId, datasetId, method, configuration, Settings(), Mode, Mode == SweepMode.Random ? Budget : null, Seed, RankMetric);
}
