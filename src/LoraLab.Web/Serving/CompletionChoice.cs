using System.Text;
using LoraLab.Engine.Generation;
using LoraLab.Engine.Serving;

namespace LoraLab.Web.Serving;

/// <summary>One choice of an answer as its tokens arrive: the text, the log-probabilities asked for, and why it ended.</summary>
public sealed class CompletionChoice(int index)
{
    readonly StringBuilder text = new();

    public int Index => index;
    public string Text => text.ToString();
    public FinishReason? FinishReason { get; private set; }
    public List<(string Token, TokenLogprobs Logprobs, IReadOnlyList<string> TopTokens)> Logprobs { get; } = [];

    public void Add(ChoiceToken token)
    {
        text.Append(token.Text);
        if (token.Logprobs is { } logprobs)
            Logprobs.Add((token.TokenText(token.TokenId), logprobs, logprobs.Top.Select(t => token.TokenText(t.TokenId)).ToArray()));
        FinishReason ??= token.FinishReason;
    }

    /// <summary>OpenAI's finish_reason: "stop" for an EOS or a stop string, "length" for the token limit.</summary>
    public static string? OpenAiReason(FinishReason? reason) => reason switch
    {
        Engine.Generation.FinishReason.Eos or Engine.Generation.FinishReason.Stop => "stop",
        Engine.Generation.FinishReason.Length => "length",
        _ => null,
    };
}
