using System.Text;

namespace LoraLab.Engine.Tokenization;

/// <summary>
/// Llama 2 Chat, which Mistral Instruct follows: each user turn is <c>&lt;s&gt;[INST] … [/INST]</c>, each answer
/// <c> … &lt;/s&gt;</c>, and a system message goes inside the first [INST] between &lt;&lt;SYS&gt;&gt; markers. The
/// prompt already ends where the assistant speaks, so there is no separate generation prompt.
/// </summary>
internal sealed class Llama2ChatTemplate : ChatTemplate
{
    public override string Name => "llama2";
    public override string? EndOfTurn => "</s>";

    public override string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        string? system = messages.Count > 0 && messages[0].Role == "system" ? messages[0].Content : null;
        var turns = system is null ? messages : messages.Skip(1).ToList();
        var text = new StringBuilder();
        for (int i = 0; i < turns.Count; i++)
        {
            var message = turns[i];
            string expected = i % 2 == 0 ? "user" : "assistant";
            if (message.Role != expected)
                throw new ConversationRejectedException($"llama2 chat template: after an optional system message the roles must alternate user/assistant, but turn {i} is '{message.Role}'");

            if (message.Role == "user")
            {
                string content = i == 0 && system is not null ? $"<<SYS>>\n{system}\n<</SYS>>\n\n{message.Content}" : message.Content;
                text.Append("<s>[INST] ").Append(content.Trim()).Append(" [/INST]");
            }
            else
            {
                text.Append(' ').Append(message.Content.Trim()).Append(" </s>");
            }
        }
        return text.ToString();
    }
}
