using System.Text;

namespace LoraLab.Engine.Tokenization;

/// <summary>ChatML (Qwen, SmolLM): <c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c> per message.</summary>
internal sealed class ChatMlTemplate : ChatTemplate
{
    public override string Name => "chatml";
    public override string? EndOfTurn => "<|im_end|>";

    public override string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        var text = new StringBuilder();
        foreach (var message in messages) text.Append("<|im_start|>").Append(message.Role).Append('\n').Append(message.Content).Append("<|im_end|>\n");
        if (addGenerationPrompt) text.Append("<|im_start|>assistant\n");
        return text.ToString();
    }
}
