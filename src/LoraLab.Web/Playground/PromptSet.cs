using LoraLab.Engine.Data;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Web.Playground;

/// <summary>A typed-in prompt, with the answer expected of it when there is one.</summary>
public sealed record PromptSetItem(string Prompt, string? Reference = null);

/// <summary>
/// Run a set of prompts through every column: the first <paramref name="MaxExamples"/> conversations of dataset
/// <paramref name="DatasetId"/> (each up to its last answer, which becomes the reference), or the typed-in <paramref name="Items"/>.
/// </summary>
public sealed record PromptSetRequest(int BaseModelId, IReadOnlyList<PlaygroundColumn> Columns, int? DatasetId = null,
    IReadOnlyList<PromptSetItem>? Items = null, int MaxExamples = 20, SamplingSettings? Sampling = null)
{
    public const int MaxExamplesLimit = 200;
}

/// <summary>One prompt of the set with each column's answer, in column order.</summary>
public sealed record PromptSetRow(string Prompt, string? Reference, IReadOnlyList<string> Outputs);

/// <summary>A column's scores over the prompts that have a reference: loss and perplexity of the reference answers, and exact matches.</summary>
public sealed record PromptSetScore(int? AdapterId, string Name, double? Loss, double? Perplexity, int ExactMatches, int WithReference)
{
    public double? ExactMatchRate => WithReference == 0 ? null : (double)ExactMatches / WithReference;
}

public sealed record PromptSetResult(IReadOnlyList<PromptSetScore> Columns, IReadOnlyList<PromptSetRow> Rows, double Seconds);

/// <summary>A prompt of the set as the columns see it: the conversation before the answer, and the reference answer if any.</summary>
public sealed record PromptSetExample(IReadOnlyList<ChatMessage> Messages, string? Reference)
{
    public string Prompt => Messages.LastOrDefault(m => m.Role == "user")?.Content ?? "";

    /// <summary>An answer matches when it equals the reference apart from surrounding white space (as the demo's exact-match accuracy counts).</summary>
    public bool Matches(string output) => Reference is not null && output.Trim() == Reference.Trim();

    public static PromptSetExample FromItem(PromptSetItem item) =>
        new([new ChatMessage("user", item.Prompt)], string.IsNullOrWhiteSpace(item.Reference) ? null : item.Reference);

    /// <summary>A conversation record up to its last assistant turn, which becomes the reference; null for raw text.</summary>
    public static PromptSetExample? FromRecord(DatasetRecord record)
    {
        if (record.Messages is not { Count: > 0 } messages) return null;
        int answer = messages.Count - 1;
        while (answer >= 0 && messages[answer].Role != "assistant") answer--;
        if (answer < 0) return messages[^1].Role == "user" ? new PromptSetExample(messages, null) : null;
        var before = messages.Take(answer).ToList();
        return before.Count > 0 && before[^1].Role == "user" ? new PromptSetExample(before, messages[answer].Content) : null;
    }

    /// <summary>Typed-in prompts, one per line; " => " separates a prompt from its reference answer ("2+2 => 4").</summary>
    public static IReadOnlyList<PromptSetItem> ParseLines(string text) => text
        .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(line => line.Split(" => ", 2) is [var prompt, var reference] ? new PromptSetItem(prompt.Trim(), reference.Trim()) : new PromptSetItem(line))
        .ToList();
}
