namespace LoraLab.Engine.Data;

/// <summary>How records are laid out in a dataset file.</summary>
public enum DatasetFileType
{
    /// <summary>One JSON object per line; issues name the 1-based line.</summary>
    Jsonl,

    /// <summary>One JSON array of objects; issues name the 1-based element.</summary>
    JsonArray,

    /// <summary>RFC 4180 CSV with a header row; issues name the 1-based line where the row starts.</summary>
    Csv,
}

/// <summary>The names users type for <see cref="DatasetFileType"/>.</summary>
public static class DatasetFileTypeNames
{
    static readonly (DatasetFileType Type, string Name)[] All = [(DatasetFileType.Jsonl, "jsonl"), (DatasetFileType.JsonArray, "json"), (DatasetFileType.Csv, "csv")];

    public static IReadOnlyList<string> Names { get; } = All.Select(t => t.Name).ToArray();

    public static string NameOf(DatasetFileType type) => All.First(t => t.Type == type).Name;

    public static DatasetFileType Parse(string name) =>
        All.FirstOrDefault(t => t.Name.Equals(name.Trim(), StringComparison.OrdinalIgnoreCase)) is { Name: not null } match
            ? match.Type
            : throw new ArgumentException($"unknown dataset file type '{name}'; known: {string.Join(", ", Names)}", nameof(name));

    /// <summary>What an issue's number counts in this layout.</summary>
    public static string LocationWord(DatasetFileType type) => type == DatasetFileType.JsonArray ? "element" : "line";
}
