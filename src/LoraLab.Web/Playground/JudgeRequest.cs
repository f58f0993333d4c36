using LoraLab.Engine.Evaluation.Judging;

namespace LoraLab.Web.Playground;

/// <summary>
/// The judge: a studio model (<paramref name="BaseModelId"/>, with <paramref name="AdapterId"/> or alone), or an
/// external OpenAI-compatible endpoint (<paramref name="Endpoint"/>, e.g. https://api.openai.com/v1, its
/// <paramref name="Model"/> and <paramref name="ApiKey"/>). The key is used for this request only and never stored.
/// </summary>
public sealed record JudgeChoice(int? BaseModelId = null, int? AdapterId = null, string? Endpoint = null, string? Model = null, string? ApiKey = null)
{
    public bool IsEndpoint => Endpoint is not null;
}

/// <summary>
/// Ask a judge which of two columns' answers to one prompt is better, with MT-Bench's pairwise prompt or an edited
/// one (<paramref name="JudgeSystem"/>, <paramref name="JudgeTemplate"/> with {question}, {answer_a}, {answer_b}).
/// </summary>
public sealed record JudgeRequest(int BaseModelId, int? AdapterAId, int? AdapterBId, string Prompt, string AnswerA, string AnswerB, JudgeChoice Judge,
    string? JudgeSystem = null, string? JudgeTemplate = null, int MaxJudgmentTokens = 512)
{
    public const int MaxJudgmentTokensLimit = 2048;

    public JudgePrompt JudgePrompt => new(JudgeSystem ?? JudgePrompt.Pairwise.System, JudgeTemplate ?? JudgePrompt.Pairwise.Template);

    /// <summary>The request's problems by field, or null when the judge can be asked.</summary>
    public Dictionary<string, string[]>? Problems()
    {
        var problems = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(Prompt)) problems["prompt"] = ["Give the prompt both answers replied to."];
        if (AnswerA is null || AnswerB is null) problems["answerA"] = ["Give both answers."];
        if (Judge is null) problems["judge"] = ["Choose a judge: a studio model or an OpenAI-compatible endpoint."];
        else if (Judge.IsEndpoint == Judge.BaseModelId is not null)
            problems["judge"] = ["Choose a judge either by baseModelId (a studio model) or by endpoint and model, not both and not neither."];
        else if (Judge.IsEndpoint)
        {
            if (!Uri.TryCreate(Judge.Endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                problems["judge.endpoint"] = [$"'{Judge.Endpoint}' is not an http or https address."];
            if (string.IsNullOrWhiteSpace(Judge.Model)) problems["judge.model"] = ["Name the endpoint's model, e.g. gpt-4o-mini."];
        }
        else if (Judge.Endpoint is null && (Judge.Model ?? Judge.ApiKey) is not null)
            problems["judge"] = ["model and apiKey belong to an endpoint judge; a studio judge is chosen by baseModelId and adapterId."];
        if (MaxJudgmentTokens is < 1 or > MaxJudgmentTokensLimit)
            problems["maxJudgmentTokens"] = [$"A judgment may be 1 to {MaxJudgmentTokensLimit} tokens long; got {MaxJudgmentTokens}."];
        var prompt = JudgePrompt;
        if (!prompt.IsPairwise || !prompt.Template.Contains("{answer_b}", StringComparison.Ordinal) || !prompt.Template.Contains("{question}", StringComparison.Ordinal))
            problems["judgeTemplate"] = ["A pairwise judge prompt needs {question}, {answer_a} and {answer_b}."];
        return problems.Count == 0 ? null : problems;
    }
}

/// <summary>
/// The judge's verdict after asking in both orders: <paramref name="Winner"/> is "A", "B" or "tie" (a win needs both
/// orders), recorded as <paramref name="Vote"/>; <paramref name="Judgments"/> are its two answers, A shown first, then B.
/// </summary>
public sealed record JudgeVerdict(string Winner, string Judge, VoteSummary Vote, IReadOnlyList<string> Judgments);
