using System.Text;

namespace LoraLab.Engine.Tokenization;

/// <summary>
/// Llama 3 Instruct: BOS, then per message a role header and the trimmed content closed by &lt;|eot_id|&gt;.
/// </summary>
internal sealed class Llama3ChatTemplate : ChatTemplate
{
    public override string Name => "llama3";
    public override string? EndOfTurn => "<|eot_id|>";

    public override string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        var text = new StringBuilder();
        for (int i = 0; i < messages.Count; i++)
        {
            if (i == 0) text.Append("<|begin_of_text|>");
            text.Append(Header(messages[i].Role)).Append(messages[i].Content.Trim()).Append("<|eot_id|>");
        }
        if (addGenerationPrompt) text.Append(Header("assistant"));
        return text.ToString();
    }

    static string Header(string role) => $"<|start_header_id|>{role}<|end_header_id|>\n\n";
}
