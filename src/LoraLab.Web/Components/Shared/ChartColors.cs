namespace LoraLab.Web.Components.Shared;

/// <summary>Distinct line colours for overlaid series, starting with the theme's primary.</summary>
public static class ChartColors
{
    static readonly string[] Palette = ["#00796b", "#e65100", "#3949ab", "#c2185b", "#558b2f", "#6d4c41", "#0288d1", "#7b1fa2"];

    public static string At(int index) => Palette[index % Palette.Length];
}
