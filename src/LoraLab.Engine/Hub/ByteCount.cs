using System.Globalization;

namespace LoraLab.Engine.Hub;

/// <summary>Sizes as people read them, in binary units: "812 B", "1.5 MiB", "2.31 GiB".</summary>
public static class ByteCount
{
    static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB"];

    public static string Format(double bytes)
    {
        int unit = 0;
        while (Math.Abs(bytes) >= 1024 && unit < Units.Length - 1)
        {
            bytes /= 1024;
            unit++;
        }
        string number = unit == 0 ? bytes.ToString("0", CultureInfo.InvariantCulture)
            : bytes.ToString(bytes < 10 ? "0.00" : bytes < 100 ? "0.0" : "0", CultureInfo.InvariantCulture);
        return $"{number} {Units[unit]}";
    }
}
