using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Web.Playground;

/// <summary>What a saved playground session holds: the base model, the columns and their settings, the prompt, and the outputs.</summary>
/// <param name="RawText">The prompt is continued as plain text instead of a chat conversation.</param>
/// <param name="Turns">The conversation before <paramref name="Message"/>.</param>
public sealed record PlaygroundSessionState(
    int? BaseModelId,
    IReadOnlyList<PlaygroundColumn> Columns,
    SamplingSettings Sampling,
    bool RawText,
    string? System,
    IReadOnlyList<ChatMessage> Turns,
    string Message,
    PlaygroundAnswers? Answers,
    int? PromptSetDatasetId = null,
    string? PromptSetLines = null,
    PromptSetResult? PromptSet = null)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The prompt the columns answer: the message as raw text, or the system message, the earlier turns and the message as a conversation.</summary>
    [JsonIgnore]
    public PlaygroundPrompt Prompt => RawText
        ? new PlaygroundPrompt(Text: Message)
        : new PlaygroundPrompt([.. string.IsNullOrWhiteSpace(System) ? [] : new[] { new ChatMessage("system", System) }, .. Turns, new ChatMessage("user", Message)]);

    public JsonNode ToJson() => JsonSerializer.SerializeToNode(this, Json)!;

    /// <summary>The state in a saved payload, or null when the payload is not one (written by another version, or by hand).</summary>
    public static PlaygroundSessionState? FromJson(JsonNode payload)
    {
        try
        {
            return payload.Deserialize<PlaygroundSessionState>(Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
