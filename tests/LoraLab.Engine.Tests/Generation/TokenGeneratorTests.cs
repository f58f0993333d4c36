using LoraLab.Engine.Generation;
using LoraLab.Engine.Models;
using LoraLab.Engine.Tests.Models;
using TorchSharp;

namespace LoraLab.Engine.Tests.Generation;

public class TokenGeneratorTests
{
    static readonly int[] Prompt = [3, 17, 42, 5, 60, 9];
    static readonly int[][] RaggedPrompts = [[7, 8, 9], [3, 17, 42, 5, 60, 0, 9], [21, 33, 1, 2, 50]];

    /// <summary>One character per token id, so that text positions are token positions.</summary>
    static string Decode(IReadOnlyList<int> ids) => string.Concat(ids.Select(id => (char)('0' + id)));

    static IReadOnlyList<int> GreedyAlone(TokenGenerator generator, IReadOnlyList<int> prompt, int newTokens) =>
        generator.Generate([prompt], SamplingOptions.Greedy with { MaxNewTokens = newTokens }, eosTokenIds: [])[0].TokenIds;

    [Theory]
    [MemberData(nameof(TinyModels.Families), MemberType = typeof(TinyModels))]
    public void Greedy_generation_equals_recomputing_the_whole_sequence_each_step(string family)
    {
        using var lm = TinyModels.Create(TinyModels.Named(family));
        var expected = NaiveGreedy.Continue(lm, Prompt, 12);

        var result = new TokenGenerator(lm).Generate([Prompt], SamplingOptions.Greedy with { MaxNewTokens = 12 }, eosTokenIds: [])[0];

        Assert.Equal(expected, result.TokenIds);
        Assert.Equal(FinishReason.Length, result.FinishReason);
    }

    [Fact]
    public void The_repetition_penalty_covers_the_prompt_and_the_generated_tokens()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        var expected = NaiveGreedy.Continue(lm, Prompt, 12, repetitionPenalty: 3.0);
        Assert.NotEqual(NaiveGreedy.Continue(lm, Prompt, 12), expected);

        var options = SamplingOptions.Greedy with { MaxNewTokens = 12, RepetitionPenalty = 3.0 };
        var result = new TokenGenerator(lm).Generate([Prompt], options, eosTokenIds: [])[0];

        Assert.Equal(expected, result.TokenIds);
    }

    [Theory]
    [MemberData(nameof(TinyModels.Families), MemberType = typeof(TinyModels))]
    public void Each_row_of_a_left_padded_batch_generates_what_its_prompt_generates_alone(string family)
    {
        using var lm = TinyModels.Create(TinyModels.Named(family));
        var generator = new TokenGenerator(lm);
        var alone = RaggedPrompts.Select(p => GreedyAlone(generator, p, 10)).ToArray();

        var batched = generator.Generate(RaggedPrompts, SamplingOptions.Greedy with { MaxNewTokens = 10 }, eosTokenIds: []);

        for (int b = 0; b < RaggedPrompts.Length; b++) Assert.Equal(alone[b], batched[b].TokenIds);
    }

    [Fact]
    public void The_same_seed_samples_the_same_tokens_and_another_seed_others()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        ModelInitializer.InitializeRandom(lm, seed: 5, std: 0.02);   // nearly flat logits: every draw is a fresh choice
        var generator = new TokenGenerator(lm);
        IReadOnlyList<int> Sample(long seed) =>
            generator.Generate(RaggedPrompts, new SamplingOptions { MaxNewTokens = 16, Seed = seed }, eosTokenIds: [])[1].TokenIds;

        var first = Sample(11);
        var again = Sample(11);
        var other = Sample(12);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.True(first.Distinct().Count() > 4, "nearly flat logits should give varied tokens");
    }

    [Fact]
    public void Sampling_with_top_k_1_picks_the_greedy_tokens()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen3-qk-norm-head-dim"));
        var generator = new TokenGenerator(lm);
        var greedy = GreedyAlone(generator, Prompt, 8);

        var sampled = generator.Generate([Prompt], new SamplingOptions { MaxNewTokens = 8, TopK = 1, Temperature = 0.7, Seed = 1 }, eosTokenIds: [])[0];

        Assert.Equal(greedy, sampled.TokenIds);
    }

    [Fact]
    public void An_eos_token_ends_only_its_row_and_is_left_out_of_the_output()
    {
        using var lm = TinyModels.Create(TinyModels.Named("mistral-sliding-window"));
        var generator = new TokenGenerator(lm);
        var free = RaggedPrompts.Select(p => GreedyAlone(generator, p, 10)).ToArray();
        int eos = free[0][3];

        var results = generator.Generate(RaggedPrompts, SamplingOptions.Greedy with { MaxNewTokens = 10 }, eosTokenIds: [eos]);

        for (int b = 0; b < RaggedPrompts.Length; b++)
        {
            int at = free[b].ToList().IndexOf(eos);
            Assert.Equal(at >= 0 ? free[b].Take(at) : free[b], results[b].TokenIds);
            Assert.Equal(at >= 0 ? FinishReason.Eos : FinishReason.Length, results[b].FinishReason);
        }
        Assert.True(results[0].TokenIds.Count <= 3);
    }

    [Fact]
    public void A_stop_string_ends_its_row_and_is_trimmed_from_the_text()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama3-rope-scaling"));
        var generator = new TokenGenerator(lm);
        var free = RaggedPrompts.Select(p => GreedyAlone(generator, p, 10)).ToArray();
        string stop = Decode(free[2]).Substring(4, 2);
        int at = Decode(free[2]).IndexOf(stop, StringComparison.Ordinal);

        var options = SamplingOptions.Greedy with { MaxNewTokens = 10, StopStrings = [stop] };
        var results = generator.Generate(RaggedPrompts, options, eosTokenIds: [], Decode);

        Assert.Equal(FinishReason.Stop, results[2].FinishReason);
        Assert.Equal(free[2].Take(at + stop.Length), results[2].TokenIds);
        Assert.Equal(Decode(free[2])[..at], results[2].Text);
        for (int b = 0; b < 2; b++)
            if (!Decode(free[b]).Contains(stop, StringComparison.Ordinal))
                Assert.Equal((Decode(free[b]), FinishReason.Length), (results[b].Text, results[b].FinishReason));
    }

    [Fact]
    public void Streamed_steps_carry_each_rows_tokens_and_text_until_it_finishes()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var generator = new TokenGenerator(lm);
        var free = RaggedPrompts.Select(p => GreedyAlone(generator, p, 8)).ToArray();
        int eos = free[1][2];
        int stopsAfter = free[1].ToList().IndexOf(eos);

        using var run = generator.Start(RaggedPrompts, SamplingOptions.Greedy with { MaxNewTokens = 8 }, [eos], Decode);
        var steps = run.Steps().ToList();

        Assert.Equal(Enumerable.Range(0, 8), steps.Select(s => s.Index));
        var row1 = steps.Select(s => s.Rows[1]).ToList();
        Assert.Equal(free[1].Take(stopsAfter + 1), row1.Take(stopsAfter + 1).Select(r => r.TokenId));
        Assert.Equal(FinishReason.Eos, row1[stopsAfter].FinishReason);
        Assert.All(row1.Skip(stopsAfter + 1), r => Assert.Equal((-1, FinishReason.Eos), (r.TokenId, r.FinishReason)));
        Assert.Equal(run.Results[1].Text, string.Concat(row1.Select(r => r.Text)));
        Assert.Equal(Decode(free[1].Take(stopsAfter).ToList()), run.Results[1].Text);
    }

    [Fact]
    public void Cancelling_returns_the_tokens_so_far_as_cancelled()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        var generator = new TokenGenerator(lm);
        var free = GreedyAlone(generator, Prompt, 10);
        using var cancellation = new CancellationTokenSource();

        using var run = generator.Start([Prompt], SamplingOptions.Greedy with { MaxNewTokens = 10 }, eosTokenIds: [], Decode);
        var seen = new List<RowStep>();
        foreach (var step in run.Steps(cancellation.Token))
        {
            seen.Add(step.Rows[0]);
            if (step.Index == 2) cancellation.Cancel();
        }

        Assert.Equal(FinishReason.Cancelled, run.Results[0].FinishReason);
        Assert.Equal(free.Take(3), run.Results[0].TokenIds);
        Assert.Equal(Decode(free.Take(3).ToList()), run.Results[0].Text);
        Assert.Equal((-1, FinishReason.Cancelled), (seen[^1].TokenId, seen[^1].FinishReason));
    }

    [Fact]
    public void Generating_with_an_already_cancelled_token_returns_no_tokens()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));

        var result = new TokenGenerator(lm).Generate([Prompt], SamplingOptions.Greedy, [], cancellationToken: new CancellationToken(canceled: true))[0];

        Assert.Equal((0, FinishReason.Cancelled), (result.TokenIds.Count, result.FinishReason));
    }

    [Fact]
    public void Decoding_steps_leave_no_tensors_behind()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen3-qk-norm-head-dim"));
        var options = new SamplingOptions { MaxNewTokens = 12, TopK = 20, TopP = 0.9, Temperature = 0.8, RepetitionPenalty = 1.2, Seed = 4 };
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        var liveAfterStep = new List<long>();
        using (var run = new TokenGenerator(lm).Start(RaggedPrompts, options, eosTokenIds: []))
            foreach (var _ in run.Steps()) liveAfterStep.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);

        Assert.Equal(12, liveAfterStep.Count);
        // The last step frees the KV cache early, so the count is flat from the first decode step up to it.
        Assert.All(liveAfterStep.Skip(1).SkipLast(1), live => Assert.Equal(liveAfterStep[1], live));
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Bad_requests_are_refused_with_what_is_wrong()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        var generator = new TokenGenerator(lm);

        var noDecode = Assert.Throws<ArgumentException>(() => generator.Start([Prompt], new SamplingOptions { StopStrings = ["\n"] }, []));
        var empty = Assert.Throws<ArgumentException>(() => generator.Start([Prompt, []], SamplingOptions.Greedy, []));
        var outside = Assert.Throws<ArgumentException>(() => generator.Start([[1, 61]], SamplingOptions.Greedy, []));
        var badOption = Assert.Throws<ArgumentException>(() => generator.Start([Prompt], new SamplingOptions { TopP = 2 }, []));

        Assert.StartsWith("stop_strings need a decode function", noDecode.Message);
        Assert.StartsWith("Prompt 1 is empty", empty.Message);
        Assert.StartsWith("Prompt 0 holds token id 61, outside the vocabulary [0, 61)", outside.Message);
        Assert.StartsWith("top_p must be in (0, 1], got 2", badOption.Message);
    }
}
