using LoraLab.Engine.Devices;
using LoraLab.Engine.Evaluation.Judging;

namespace LoraLab.Engine.Tests.Evaluation;

/// <summary>Verdicts read as FastChat's llm_judge reads them; comparisons asked in both orders as MT-Bench asks them.</summary>
public sealed class JudgingTests
{
    [Theory]
    [InlineData("Assistant A is clearer. [[A]]", PairwiseVerdict.A)]
    [InlineData("Both fine, but [[B]]", PairwiseVerdict.B)]
    [InlineData("[[C]]", PairwiseVerdict.Tie)]
    [InlineData("[[B]] ... on reflection [[A]]", PairwiseVerdict.A)]   // common.py tests "[[A]]" first
    [InlineData("I prefer A.", null)]
    public void Pairwise_verdicts_follow_fastchats_precedence(string judgment, PairwiseVerdict? expected) =>
        Assert.Equal(expected, JudgeVerdicts.Pairwise(judgment));

    [Theory]
    [InlineData("Good answer. Rating: [[7]]", 7.0)]
    [InlineData("Rating: [[8.5]] and later [[2]]", 8.5)]
    [InlineData("Rating: [4]", 4.0)]
    [InlineData("Rating: 6/10", null)]
    public void Ratings_are_the_first_double_bracketed_number_else_the_first_bracketed_one(string judgment, double? expected) =>
        Assert.Equal(expected, JudgeVerdicts.Rating(judgment));

    /// <summary>Always answers the same letter: the position bias the second order exposes.</summary>
    sealed class ScriptedJudge(params string[] answers) : IJudgeModel
    {
        public List<string> Prompts { get; } = [];
        public string Name => "scripted";

        public Task<string> CompleteAsync(string system, string user, CancellationToken cancellation)
        {
            Prompts.Add(user);
            return Task.FromResult(answers[Prompts.Count - 1]);
        }
    }

    [Fact]
    public async Task An_answer_wins_only_when_both_orders_pick_it()
    {
        var consistent = new ScriptedJudge("[[A]]", "[[B]]");
        var biased = new ScriptedJudge("[[A]]", "[[A]]");

        var won = await PairwiseJudging.CompareAsync(consistent, JudgePrompt.Pairwise, "2+2?", "4", "5");
        var tied = await PairwiseJudging.CompareAsync(biased, JudgePrompt.Pairwise, "2+2?", "4", "5");

        Assert.Equal("first", won.Winner);
        Assert.Equal("tie", tied.Winner);
        Assert.Contains("[The Start of Assistant A's Answer]\n4\n", consistent.Prompts[0]);
        Assert.Contains("[The Start of Assistant A's Answer]\n5\n", consistent.Prompts[1]);
    }

    [Fact]
    public void A_prompt_fills_each_placeholder_once_and_names_a_missing_one()
    {
        var rendered = JudgePrompt.Pairwise.Render("q", "says {answer_b}", "b");

        Assert.Contains("[The Start of Assistant A's Answer]\nsays {answer_b}\n", rendered);
        var e = Assert.Throws<ArgumentException>(() => new JudgePrompt("s", "Rate {answer}").Render("q", "a"));
        Assert.Equal("The judge prompt lacks {question}: a rating prompt needs {question}, {answer}.", e.Message);
    }

    [Fact]
    public async Task A_studio_model_judges_in_its_own_chat_template_and_its_answer_is_parsed()
    {
        using var lm = LanguageModel.Open(Path.Combine(RepositoryFolder.Root, "src", "LoraLab.Demo", "model"), ComputeDevice.Cpu);
        var judge = new LanguageModelJudge(lm, "demo", maxNewTokens: 8);

        var (rating, judgment) = await PairwiseJudging.RateAsync(judge, JudgePrompt.Rating, "what is 2+2?", "4");

        Assert.False(string.IsNullOrEmpty(judgment));
        Assert.Equal(JudgeVerdicts.Rating(judgment), rating);   // a 3M-parameter model gives no rating: null, never a made-up one
    }
}
