using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Data;

/// <summary>
/// A valid record in the one shape training needs: a conversation with at least one assistant turn (alpaca and
/// prompt/completion become a user turn and an assistant turn), or raw text.
/// </summary>
/// <param name="Line">Where the record is in its file (see <see cref="DatasetIssue.Line"/>).</param>
public sealed record DatasetRecord(int Line, IReadOnlyList<ChatMessage>? Messages, string? Text)
{
    public static DatasetRecord Conversation(int line, IReadOnlyList<ChatMessage> messages) => new(line, messages, null);

    public static DatasetRecord RawText(int line, string text) => new(line, null, text);
}
