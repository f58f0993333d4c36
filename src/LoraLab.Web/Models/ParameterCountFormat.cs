using System.Globalization;

namespace LoraLab.Web.Models;

/// <summary>Parameter counts the way model names write them: 135M, 1.2B, 7.2B.</summary>
public static class ParameterCountFormat
{
    static readonly string[] Suffixes = ["", "K", "M", "B", "T"];

    public static string Format(long parameters)
    {
        int unit = 0;
        while (unit < Suffixes.Length - 1 && parameters >= Math.Pow(1000, unit + 1)) unit++;
        double value = Round(parameters / Math.Pow(1000, unit));
        // 999.96M rounds to 1000M, which reads better as 1B.
        if (value >= 1000 && unit < Suffixes.Length - 1) value = Round(parameters / Math.Pow(1000, ++unit));
        return value.ToString("0.#", CultureInfo.InvariantCulture) + Suffixes[unit];
    }

    // Up to two integer digits keep one decimal (1.2B, 12.3M); three keep none (135M).
    static double Round(double value) => Math.Round(value, value < 100 ? 1 : 0, MidpointRounding.AwayFromZero);
}
