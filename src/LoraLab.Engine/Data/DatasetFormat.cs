namespace LoraLab.Engine.Data;

/// <summary>How a record spells one training example.</summary>
public enum DatasetFormat
{
    /// <summary><c>instruction</c>, optional <c>input</c>, <c>output</c>.</summary>
    Alpaca,

    /// <summary><c>messages</c>: objects with <c>role</c> (system, user, assistant) and <c>content</c>.</summary>
    Chat,

    /// <summary><c>conversations</c>: objects with <c>from</c> (system, human, gpt) and <c>value</c>.</summary>
    ShareGpt,

    /// <summary><c>prompt</c> and <c>completion</c>.</summary>
    PromptCompletion,

    /// <summary><c>text</c>, trained on as it is.</summary>
    Text,
}

/// <summary>The names users type for <see cref="DatasetFormat"/> (command line, web form, saved run configuration).</summary>
public static class DatasetFormatNames
{
    static readonly (DatasetFormat Format, string Name)[] All =
    [
        (DatasetFormat.Alpaca, "alpaca"), (DatasetFormat.Chat, "chat"), (DatasetFormat.ShareGpt, "sharegpt"),
        (DatasetFormat.PromptCompletion, "prompt-completion"), (DatasetFormat.Text, "text"),
    ];

    public static IReadOnlyList<string> Names { get; } = All.Select(f => f.Name).ToArray();

    public static string NameOf(DatasetFormat format) => All.First(f => f.Format == format).Name;

    public static DatasetFormat Parse(string name) =>
        All.FirstOrDefault(f => f.Name.Equals(name.Trim(), StringComparison.OrdinalIgnoreCase)) is { Name: not null } match
            ? match.Format
            : throw new ArgumentException($"unknown dataset format '{name}'; known: {string.Join(", ", Names)}", nameof(name));
}
