using System.Globalization;
using System.Text;

namespace LoraLab.Web.Training;

/// <summary>A run's metric points as CSV: a header row, then one row per point, numbers in the invariant culture, empty cells for missing figures.</summary>
public static class MetricsCsv
{
    public const string Header = "step,kind,loss,learning_rate,grad_norm,tokens_per_second,elapsed_seconds";

    public static string Write(IEnumerable<MetricPoint> points)
    {
        var csv = new StringBuilder(Header).Append('\n');
        foreach (var p in points)
            csv.Append(CultureInfo.InvariantCulture, $"{p.Step},{p.Kind.ToString().ToLowerInvariant()},{Number(p.Loss)},{Number(p.LearningRate)},{Number(p.GradNorm)},{Number(p.TokensPerSecond)},{Number(p.ElapsedSeconds)}\n");
        return csv.ToString();
    }

    static string Number(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "";
}
