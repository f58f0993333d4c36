using LoraLab.Engine.Tokenization;

namespace LoraLab.Web.Playground;

/// <summary>One column of the playground: the base model alone (<paramref name="AdapterId"/> null) or an adapter on it, with its own sampling or the shared one.</summary>
public sealed record PlaygroundColumn(int? AdapterId, SamplingSettings? Sampling = null);

/// <summary>
/// What every column answers: a conversation rendered with the model's chat template (ending with a user turn), or,
/// without the template, <paramref name="Text"/> continued as it is.
/// </summary>
public sealed record PlaygroundPrompt(IReadOnlyList<ChatMessage>? Messages = null, string? Text = null)
{
    public static PlaygroundPrompt Chat(string userMessage) => new([new ChatMessage("user", userMessage)]);

    /// <summary>The text shown for this prompt: the last user turn, or the raw text.</summary>
    public string Summary => Text ?? Messages?.LastOrDefault(m => m.Role == "user")?.Content ?? "";

    public string? Problem()
    {
        if (Messages is null == Text is null) return "Give the prompt either as chat messages or as raw text, not both and not neither.";
        if (Text is not null) return Text.Length == 0 ? "The prompt is empty." : null;
        if (Messages!.Count == 0 || Messages.All(m => string.IsNullOrWhiteSpace(m.Content))) return "The conversation is empty.";
        if (Messages.FirstOrDefault(m => m.Role is not ("system" or "user" or "assistant")) is { } odd)
            return $"Message role '{odd.Role}' is not one of system, user, assistant.";
        return Messages[^1].Role == "user" ? null : $"The conversation must end with a user turn for the columns to answer; it ends with {Messages[^1].Role}.";
    }
}

/// <summary>Generate <paramref name="Prompt"/> in every column on one base model at once.</summary>
public sealed record PlaygroundRequest(int BaseModelId, IReadOnlyList<PlaygroundColumn> Columns, PlaygroundPrompt Prompt, SamplingSettings? Sampling = null)
{
    public const int MaxColumns = 6;

    public SamplingSettings SharedSampling => Sampling ?? new SamplingSettings();

    public SamplingSettings SamplingOf(PlaygroundColumn column) => column.Sampling ?? SharedSampling;

    /// <summary>The request's problems by field, or null when it can run.</summary>
    public Dictionary<string, string[]>? Problems()
    {
        var problems = new Dictionary<string, string[]>();
        if (Columns is not { Count: > 0 and <= MaxColumns })
            problems["columns"] = [$"Choose between 1 and {MaxColumns} columns; got {Columns?.Count ?? 0}."];
        if ((Prompt is null ? "A prompt is needed." : Prompt.Problem()) is { } prompt) problems["prompt"] = [prompt];
        if (SharedSampling.Problem() is { } shared) problems["sampling"] = [shared];
        for (int c = 0; c < (Columns?.Count ?? 0); c++)
            if (Columns![c].Sampling?.Problem() is { } own) problems[$"columns[{c}].sampling"] = [own];
        return problems.Count == 0 ? null : problems;
    }
}
