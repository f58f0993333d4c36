namespace LoraLab.Web.Components.Pages.Sweeps;

/// <summary>
/// The x axis of a setting-versus-metric scatter: from the smallest to the largest swept value, logarithmic when the
/// values are positive and span more than a factor of ten (learning rates), with a tick at each swept value.
/// </summary>
public sealed record SweepScatterAxis(double Min, double Max, bool Log, IReadOnlyList<double> Ticks)
{
    public static SweepScatterAxis For(IEnumerable<double> values)
    {
        var ticks = values.Distinct().Order().ToList();
        if (ticks.Count == 0) return new SweepScatterAxis(0, 1, false, []);
        // Exactly a factor of ten (1e-4 and 1e-3, whose quotient rounds either way) stays linear.
        return new SweepScatterAxis(ticks[0], ticks[^1], ticks[0] > 0 && ticks[^1] / ticks[0] > 10 * (1 + 1e-9), ticks);
    }

    /// <summary>Where <paramref name="value"/> lies between 0 (at Min) and 1 (at Max); a single value sits in the middle.</summary>
    public double Fraction(double value)
    {
        if (Max == Min) return 0.5;
        return Log ? (Math.Log10(value) - Math.Log10(Min)) / (Math.Log10(Max) - Math.Log10(Min)) : (value - Min) / (Max - Min);
    }
}
