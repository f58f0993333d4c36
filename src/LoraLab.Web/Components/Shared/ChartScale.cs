namespace LoraLab.Web.Components.Shared;

/// <summary>A linear axis from <see cref="Min"/> to <see cref="Max"/> with round tick values, as chart axes need.</summary>
public sealed record ChartScale(double Min, double Max, IReadOnlyList<double> Ticks)
{
    /// <summary>A scale covering <paramref name="min"/> … <paramref name="max"/> with about <paramref name="tickCount"/> ticks at 1, 2 or 5 × 10ⁿ.</summary>
    public static ChartScale Covering(double min, double max, int tickCount = 5)
    {
        if (max < min) (min, max) = (max, min);
        if (max - min < 1e-12 * Math.Max(1, Math.Abs(max)))
        {
            // A flat series still needs a visible range around its value.
            double pad = Math.Abs(min) > 0 ? Math.Abs(min) * 0.1 : 1;
            (min, max) = (min - pad, max + pad);
        }
        double step = NiceStep((max - min) / Math.Max(1, tickCount - 1));
        double first = Math.Floor(min / step) * step, last = Math.Ceiling(max / step) * step;
        var ticks = new List<double>();
        for (double t = first; t <= last + step / 2; t += step) ticks.Add(Math.Round(t / step) * step);
        return new ChartScale(first, last, ticks);
    }

    static double NiceStep(double rough)
    {
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double fraction = rough / magnitude;
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude;
    }

    /// <summary>Where <paramref name="value"/> lies between 0 (at Min) and 1 (at Max).</summary>
    public double Fraction(double value) => (value - Min) / (Max - Min);
}
