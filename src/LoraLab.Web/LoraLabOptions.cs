namespace LoraLab.Web;

/// <summary>The "LoraLab" configuration section (appsettings.json or environment variables such as LoraLab__DataPath).</summary>
public sealed record LoraLabOptions
{
    public const string Section = "LoraLab";

    /// <summary>Root of everything the studio stores; relative paths are resolved against the current directory.</summary>
    public string DataPath { get; init; } = "data";

    /// <summary>"auto", "cpu" or "cuda[:N]".</summary>
    public string Device { get; init; } = "auto";

    /// <summary>Model folders registered in addition to the sub-folders of {DataPath}/models.</summary>
    public IReadOnlyList<string> ModelFolders { get; init; } = [];
}
