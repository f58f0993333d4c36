using System.Text.RegularExpressions;

namespace LoraLab.Engine.Evaluation.Judging;

/// <summary>
/// What a judge model is asked: a system prompt and a user-turn template with <c>{question}</c> and either
/// <c>{answer_a}</c>/<c>{answer_b}</c> (pairwise) or <c>{answer}</c> (a rating), and optionally <c>{reference}</c>.
/// The defaults are MT-Bench's (lm-sys/FastChat <c>llm_judge/data/judge_prompts.jsonl</c>: "pair-v2" and "single-v1"),
/// whose verdict formats <see cref="JudgeVerdicts"/> reads.
/// </summary>
public sealed record JudgePrompt(string System, string Template)
{
    public static readonly JudgePrompt Pairwise = new(
        "Please act as an impartial judge and evaluate the quality of the responses provided by two AI assistants to the user question displayed below. " +
        "You should choose the assistant that follows the user's instructions and answers the user's question better. Your evaluation should consider " +
        "factors such as the helpfulness, relevance, accuracy, depth, creativity, and level of detail of their responses. Begin your evaluation by " +
        "comparing the two responses and provide a short explanation. Avoid any positional biases and ensure that the order in which the responses were " +
        "presented does not influence your decision. Do not allow the length of the responses to influence your evaluation. Do not favor certain names " +
        "of the assistants. Be as objective as possible. After providing your explanation, output your final verdict by strictly following this format: " +
        "\"[[A]]\" if assistant A is better, \"[[B]]\" if assistant B is better, and \"[[C]]\" for a tie.",
        "[User Question]\n{question}\n\n[The Start of Assistant A's Answer]\n{answer_a}\n[The End of Assistant A's Answer]\n\n" +
        "[The Start of Assistant B's Answer]\n{answer_b}\n[The End of Assistant B's Answer]");

    public static readonly JudgePrompt Rating = new(
        "You are a helpful assistant.",
        "[Instruction]\nPlease act as an impartial judge and evaluate the quality of the response provided by an AI assistant to the user question " +
        "displayed below. Your evaluation should consider factors such as the helpfulness, relevance, accuracy, depth, creativity, and level of detail " +
        "of the response. Begin your evaluation by providing a short explanation. Be as objective as possible. After providing your explanation, you " +
        "must rate the response on a scale of 1 to 10 by strictly following this format: \"[[rating]]\", for example: \"Rating: [[5]]\".\n\n" +
        "[Question]\n{question}\n\n[The Start of Assistant's Answer]\n{answer}\n[The End of Assistant's Answer]");

    public bool IsPairwise => Template.Contains("{answer_a}", StringComparison.Ordinal);

    /// <summary>The user turn with every placeholder filled; a template lacking one its kind needs is refused by name.</summary>
    public string Render(string question, string answerOrA, string? answerB = null, string? reference = null)
    {
        string[] needed = IsPairwise ? ["{question}", "{answer_a}", "{answer_b}"] : ["{question}", "{answer}"];
        var missing = needed.Where(p => !Template.Contains(p, StringComparison.Ordinal)).ToList();
        if (missing.Count > 0)
            throw new ArgumentException($"The judge prompt lacks {string.Join(" and ", missing)}: a {(IsPairwise ? "pairwise" : "rating")} prompt needs {string.Join(", ", needed)}.");
        if (IsPairwise && answerB is null) throw new ArgumentException("A pairwise judge prompt needs two answers.");
        // One pass over the template, so an answer that happens to contain "{answer_b}" is never filled in itself.
        var values = new Dictionary<string, string>
        {
            ["{question}"] = question, ["{answer_a}"] = answerOrA, ["{answer_b}"] = answerB ?? "", ["{answer}"] = answerOrA, ["{reference}"] = reference ?? "",
        };
        return Regex.Replace(Template, @"\{(question|answer_a|answer_b|answer|reference)\}", m => values[m.Value]);
    }
}
