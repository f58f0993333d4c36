using MudBlazor;

namespace LoraLab.Web.Components.Layout;

/// <summary>MudBlazor's default theme with the studio's teal as primary colour.</summary>
public static class StudioTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#00796b",
            Secondary = "#5c6bc0",
            AppbarBackground = "#004d40",
        },
    };
}
