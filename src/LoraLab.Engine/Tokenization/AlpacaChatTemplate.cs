using System.Text;

namespace LoraLab.Engine.Tokenization;

/// <summary>
/// The Stanford Alpaca prompt: a preamble (the system message, or Alpaca's own sentence), then
/// "### Instruction:" and "### Response:" sections separated by blank lines. One user turn with the generation
/// prompt gives Alpaca's published no-input prompt exactly; further turns repeat the two sections.
/// </summary>
internal sealed class AlpacaChatTemplate : ChatTemplate
{
    public const string DefaultPreamble = "Below is an instruction that describes a task. Write a response that appropriately completes the request.";

    public override string Name => "alpaca";

    public override string? EndOfTurn => null;

    public override string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        bool hasSystem = messages.Count > 0 && messages[0].Role == "system";
        var sections = new List<string> { hasSystem ? messages[0].Content : DefaultPreamble };
        foreach (var message in messages.Skip(hasSystem ? 1 : 0))
        {
            sections.Add(message.Role switch
            {
                "user" => $"### Instruction:\n{message.Content}",
                "assistant" => $"### Response:\n{message.Content}",
                _ => throw new ConversationRejectedException($"alpaca chat template: role '{message.Role}' is not one of system (first only), user, assistant"),
            });
        }
        var text = new StringBuilder(string.Join("\n\n", sections));
        if (addGenerationPrompt) text.Append("\n\n### Response:\n");
        return text.ToString();
    }
}
