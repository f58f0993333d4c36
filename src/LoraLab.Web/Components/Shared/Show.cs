using System.Globalization;

namespace LoraLab.Web.Components.Shared;

/// <summary>How pages write numbers, sizes and durations: invariant culture, units people read.</summary>
public static class Show
{
    static readonly string[] ByteUnits = ["B", "KiB", "MiB", "GiB", "TiB"];

    public static string Bytes(long bytes)
    {
        double value = bytes;
        int unit = 0;
        while (Math.Abs(value) >= 1024 && unit < ByteUnits.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes} B" : value.ToString(value < 10 ? "0.0#" : value < 100 ? "0.0" : "0", CultureInfo.InvariantCulture) + " " + ByteUnits[unit];
    }

    /// <summary>Four significant digits, or scientific notation for very small and very large values; "–" for none.</summary>
    public static string Number(double? value) => value switch
    {
        null => "–",
        double v when double.IsNaN(v) || double.IsInfinity(v) => v.ToString(CultureInfo.InvariantCulture),
        0 => "0",
        double v when Math.Abs(v) < 1e-3 || Math.Abs(v) >= 1e6 => v.ToString("0.###e+0", CultureInfo.InvariantCulture),
        double v => v.ToString(Math.Abs(v) >= 100 ? "0.#" : "0.####", CultureInfo.InvariantCulture),
    };

    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>"45s", "12m 05s", "3h 02m".</summary>
    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero) span = TimeSpan.Zero;
        if (span.TotalMinutes < 1) return $"{(int)span.TotalSeconds}s";
        if (span.TotalHours < 1) return $"{(int)span.TotalMinutes}m {span.Seconds:00}s";
        return $"{(int)span.TotalHours}h {span.Minutes:00}m";
    }

    public static string Time(DateTime? utc) => utc is { } t ? t.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "–";
}
