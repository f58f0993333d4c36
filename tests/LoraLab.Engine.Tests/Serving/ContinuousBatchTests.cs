using LoraLab.Engine.Generation;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Serving;
using LoraLab.Engine.Tests.Models;
using static LoraLab.Engine.Tests.Peft.AdapterTestKit;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Engine.Peft.PrefixTuning;
using LoraLab.Engine.Peft.PromptTuning;

namespace LoraLab.Engine.Tests.Serving;

public class ContinuousBatchTests
{
    static readonly SamplingOptions Greedy8 = SamplingOptions.Greedy with { MaxNewTokens = 8 };

    static CausalLM WithTwoAdapters(string family)
    {
        var lm = TinyModels.Create(TinyModels.Named(family));
        Randomize(LoraInjection.Inject(lm, new LoraConfig { R = 4, LoraAlpha = 8, TargetModules = ["q_proj", "v_proj"] }, "lora").Values, seed: 1, std: 0.5);
        Randomize(LoraInjection.Inject(lm, new LoraConfig { R = 3, LoraAlpha = 6, UseDora = true, TargetModules = ["o_proj", "down_proj"] }, "dora").Values, seed: 3, std: 0.5);
        LoraInjection.SetActive(lm, null);
        lm.eval();
        return lm;
    }

    static IReadOnlyList<int> Alone(CausalLM lm, IReadOnlyList<int> prompt, string? adapter, SamplingOptions options, VirtualTokens? virtualTokens = null)
    {
        LoraInjection.SetActive(lm, adapter);
        try { return new TokenGenerator(lm).Generate([prompt], options, eosTokenIds: [], virtualTokens: virtualTokens)[0].TokenIds; }
        finally { LoraInjection.SetActive(lm, null); }
    }

    /// <summary>Every token each row got, by row, the first token from its join included.</summary>
    sealed class Collected
    {
        public readonly Dictionary<BatchRow, List<int>> Ids = [];
        public BatchRow Join(BatchRowStep step)
        {
            Ids[step.Row] = [step.Step.TokenId];
            return step.Row;
        }
        public void Take(IEnumerable<BatchRowStep> steps)
        {
            foreach (var s in steps) Ids[s.Row].Add(s.Step.TokenId);
        }
    }

    [Theory]
    [InlineData("qwen2-qkv-bias")]
    [InlineData("llama-gqa-tied")]
    public void Rows_that_join_a_running_batch_get_exactly_the_greedy_ids_they_get_alone(string family)
    {
        using var lm = WithTwoAdapters(family);
        IReadOnlyList<int>[] prompts = [[7, 8, 9], [3, 17, 42, 5, 60, 0, 9, 11, 12, 13, 14, 2], [21, 33], [5, 6, 7, 8]];
        string?[] adapters = ["lora", "dora", null, "lora"];
        var expected = prompts.Select((p, i) => Alone(lm, p, adapters[i], Greedy8)).ToArray();
        using var batch = new ContinuousBatch(lm);
        var collected = new Collected();

        var rows = new List<BatchRow> { collected.Join(batch.Join(prompts[0], adapters[0], Greedy8, [])) };
        collected.Take(batch.Step());
        collected.Take(batch.Step());
        // Longer than the batch so far: the running row is shifted right under new padding.
        rows.Add(collected.Join(batch.Join(prompts[1], adapters[1], Greedy8, [])));
        collected.Take(batch.Step());
        // Shorter: it is the one padded.
        rows.Add(collected.Join(batch.Join(prompts[2], adapters[2], Greedy8, [])));
        rows.Add(collected.Join(batch.Join(prompts[3], adapters[3], Greedy8, [])));
        int widest = batch.Rows.Count;
        while (batch.Rows.Count > 0) collected.Take(batch.Step());

        Assert.Equal(4, widest);
        Assert.NotEqual(expected[0], Alone(lm, prompts[0], null, Greedy8));
        for (int i = 0; i < prompts.Length; i++)
        {
            Assert.Equal(expected[i], collected.Ids[rows[i]]);
            Assert.Equal(expected[i], rows[i].Result.TokenIds);
            Assert.Equal(FinishReason.Length, rows[i].FinishReason);
            rows[i].Dispose();
        }
        Assert.All(LoraInjection.LoraLayers(lm).Values, l => Assert.Null(l.Routing));
    }

    [Theory]
    [InlineData("qwen2-qkv-bias")]
    [InlineData("llama-gqa-tied")]
    public void Requests_that_arrive_together_are_prefilled_left_padded_and_each_gets_exactly_its_greedy_ids_alone(string family)
    {
        using var lm = WithTwoAdapters(family);
        IReadOnlyList<int> running = [5, 6, 7, 8];
        // 12, 9 and 7 tokens share one padded prefill; 2 tokens (under half the longest) get a pass of their own.
        IReadOnlyList<int>[] prompts = [[3, 17, 42, 5, 60, 0, 9, 11, 12, 13, 14, 2], [7, 8, 9, 1, 2, 3, 4, 5, 6], [21, 33], [40, 41, 42, 43, 44, 45, 46], [9, 9, 8]];
        string?[] adapters = ["dora", "lora", null, "lora", "dora"];
        var options = prompts.Select((_, i) => i == 4 ? Greedy8 with { MaxNewTokens = 1 } : Greedy8).ToArray();
        var expected = prompts.Select((p, i) => Alone(lm, p, adapters[i], options[i])).ToArray();
        var expectedRunning = Alone(lm, running, "lora", Greedy8);
        using var batch = new ContinuousBatch(lm);
        var collected = new Collected();
        var first = collected.Join(batch.Join(running, "lora", Greedy8, []));
        collected.Take(batch.Step());

        var steps = batch.Join(prompts.Select((p, i) => new JoinRequest(p, adapters[i], options[i], [])).ToArray());
        var rows = steps.Select(collected.Join).ToArray();
        int joined = batch.Rows.Count;
        while (batch.Rows.Count > 0) collected.Take(batch.Step());

        Assert.Equal(5, joined);   // the running row and four new ones: the one-token request finished at its join
        Assert.True(rows[4].IsFinished);
        Assert.DoesNotContain(rows[4], batch.Rows);
        Assert.Equal(expectedRunning, collected.Ids[first]);
        for (int i = 0; i < prompts.Length; i++)
        {
            Assert.Equal(expected[i], collected.Ids[rows[i]]);
            Assert.Equal(FinishReason.Length, rows[i].FinishReason);
            rows[i].Dispose();
        }
        first.Dispose();
    }

    [Fact]
    public void Choices_of_one_prompt_are_prefilled_once_and_each_draws_the_tokens_it_draws_alone()
    {
        using var lm = WithTwoAdapters("qwen2-qkv-bias");
        IReadOnlyList<int> shared = [7, 8, 9, 10, 11], other = [30, 31, 32, 33];
        SamplingOptions Seeded(int seed) => new() { Temperature = 1.3, TopK = 20, Seed = seed, MaxNewTokens = 8 };
        JoinRequest[] requests =
        [
            new(shared, "lora", Seeded(1), []), new(other, "lora", Seeded(1), []), new(shared, "lora", Seeded(2), []),
            new(shared, "dora", Seeded(1), []), new(shared, "lora", Greedy8, []),
        ];
        var expected = requests.Select(r => Alone(lm, r.Prompt, r.Adapter, r.Options)).ToArray();
        using var batch = new ContinuousBatch(lm);
        var collected = new Collected();

        var rows = batch.Join(requests).Select(collected.Join).ToArray();
        while (batch.Rows.Count > 0) collected.Take(batch.Step());

        Assert.NotEqual(expected[0], expected[2]);   // two choices of one prompt, each its own draw
        for (int i = 0; i < requests.Length; i++)
        {
            Assert.Equal(expected[i], collected.Ids[rows[i]]);
            rows[i].Dispose();
        }
    }

    [Fact]
    public void A_join_that_fails_adds_none_of_its_requests_and_the_running_rows_go_on()
    {
        using var lm = WithTwoAdapters("llama-gqa-tied");
        IReadOnlyList<int> running = [5, 6, 7, 8];
        var expectedRunning = Alone(lm, running, "dora", Greedy8);
        using var batch = new ContinuousBatch(lm);
        var collected = new Collected();
        var first = collected.Join(batch.Join(running, "dora", Greedy8, []));
        collected.Take(batch.Step());

        // The first group (the longer prompts) is prefilled and added before the second names an adapter the model lacks.
        var unknown = Assert.Throws<ArgumentException>(() => batch.Join([
            new JoinRequest([3, 17, 42, 5, 60, 0, 9, 11], "lora", Greedy8, []),
            new JoinRequest([21, 33], "missing", Greedy8, []),
        ]));
        var outside = Assert.Throws<ArgumentException>(() => batch.Join([
            new JoinRequest([3, 17], "lora", Greedy8, []),
            new JoinRequest([21, 999], null, Greedy8, []),
        ]));
        Assert.Equal([first], batch.Rows);
        while (batch.Rows.Count > 0) collected.Take(batch.Step());

        Assert.Contains("'missing'", unknown.Message);
        Assert.Contains("token id 999", outside.Message);
        Assert.Equal(expectedRunning, collected.Ids[first]);
        Assert.Equal(0, batch.Width);
    }

    [Fact]
    public void A_seeded_sampling_row_draws_the_same_tokens_in_a_running_batch_as_alone()
    {
        using var lm = WithTwoAdapters("qwen2-qkv-bias");
        var sampled = new SamplingOptions { Temperature = 1.3, TopK = 20, TopP = 0.9, Seed = 11, MaxNewTokens = 8 };
        IReadOnlyList<int> prompt = [7, 8, 9, 10];
        var expected = Alone(lm, prompt, "dora", sampled);
        using var batch = new ContinuousBatch(lm);
        var collected = new Collected();

        var greedy = collected.Join(batch.Join([3, 17, 42, 5, 60, 0], "lora", Greedy8, []));
        collected.Take(batch.Step());
        var row = collected.Join(batch.Join(prompt, "dora", sampled, []));
        while (batch.Rows.Count > 0) collected.Take(batch.Step());

        Assert.NotEqual(Alone(lm, prompt, "dora", sampled with { Seed = 12 }), expected);
        Assert.Equal(expected, collected.Ids[row]);
        Assert.Equal(FinishReason.Length, greedy.FinishReason);
    }

    [Fact]
    public void A_removed_row_leaves_at_once_and_the_padding_only_it_needed_is_dropped()
    {
        using var lm = WithTwoAdapters("qwen2-qkv-bias");
        IReadOnlyList<int> longPrompt = [3, 17, 42, 5, 60, 0, 9, 11, 12, 13, 14, 2], shortPrompt = [21, 33];
        var expectedShort = Alone(lm, shortPrompt, "dora", Greedy8);
        using var batch = new ContinuousBatch(lm);
        var collected = new Collected();
        var longRow = collected.Join(batch.Join(longPrompt, "lora", Greedy8, []));
        var shortRow = collected.Join(batch.Join(shortPrompt, "dora", Greedy8, []));
        collected.Take(batch.Step());
        long widthBefore = batch.Width;

        var removed = batch.Remove(longRow);
        while (batch.Rows.Count > 0) collected.Take(batch.Step());

        Assert.Equal(FinishReason.Cancelled, removed.Step.FinishReason);
        Assert.Equal(FinishReason.Cancelled, longRow.FinishReason);
        Assert.Equal(longPrompt.Count + 1, widthBefore);
        Assert.Equal(expectedShort, collected.Ids[shortRow]);
        Assert.Equal(2, collected.Ids[longRow].Count);
        Assert.Equal(0, batch.Width);
    }

    [Theory]
    [InlineData("prompt")]
    [InlineData("prefix")]
    public void A_prompt_or_prefix_tuning_row_mixes_with_plain_rows_and_gets_its_ids_alone(string kind)
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        IPeftMethod method = kind == "prompt"
            ? new PromptTuningMethod(new PromptTuningConfig { NumVirtualTokens = 4 }, seed: 3)
            : new PrefixTuningMethod(new PrefixTuningConfig { NumVirtualTokens = 4 }, seed: 3);
        method.Attach(lm);
        using (no_grad()) foreach (var (_, p) in method.TrainableParameters()) p.normal_(0, 1, new Generator(4));
        lm.eval();
        var virtualTokens = new LoadedAdapter("TEST", method).VirtualTokens!;
        IReadOnlyList<int> plainPrompt = [7, 8, 9, 10, 11, 12, 13], tunedPrompt = [3, 17, 42];
        var expectedPlain = Alone(lm, plainPrompt, null, Greedy8);
        var expectedTuned = Alone(lm, tunedPrompt, null, Greedy8, virtualTokens);
        IReadOnlyList<int> otherPrompt = [30, 31, 32];
        var expectedOther = Alone(lm, otherPrompt, null, Greedy8);
        using var batch = new ContinuousBatch(lm);
        var collected = new Collected();

        var plain = collected.Join(batch.Join(plainPrompt, null, Greedy8, []));
        collected.Take(batch.Step());
        // Arriving together with a plain request, the tuned one is still prefilled on its own, after its virtual tokens.
        var together = batch.Join([new JoinRequest(tunedPrompt, null, Greedy8, [], VirtualTokens: virtualTokens), new JoinRequest(otherPrompt, null, Greedy8, [])]);
        var (tuned, other) = (collected.Join(together[0]), collected.Join(together[1]));
        while (batch.Rows.Count > 0) collected.Take(batch.Step());

        Assert.NotEqual(Alone(lm, tunedPrompt, null, Greedy8), expectedTuned);
        Assert.Equal(expectedPlain, collected.Ids[plain]);
        Assert.Equal(expectedTuned, collected.Ids[tuned]);
        Assert.Equal(expectedOther, collected.Ids[other]);
    }

    [Fact]
    public void A_row_whose_first_token_ends_it_never_joins_and_an_eos_id_ends_a_row_where_it_would_alone()
    {
        using var lm = WithTwoAdapters("qwen2-qkv-bias");
        IReadOnlyList<int> prompt = [7, 8, 9];
        var alone = Alone(lm, prompt, "lora", Greedy8);
        int firstRepeat = Enumerable.Range(1, alone.Count - 1).First(k => !alone.Take(k).Contains(alone[k]));
        using var batch = new ContinuousBatch(lm);

        var one = batch.Join(prompt, "lora", Greedy8 with { MaxNewTokens = 1 }, []);
        var eos = batch.Join(prompt, "lora", Greedy8, eosTokenIds: [alone[firstRepeat]]);
        var collected = new Collected();
        collected.Join(eos);
        while (batch.Rows.Count > 0) collected.Take(batch.Step());

        Assert.Equal(FinishReason.Length, one.Step.FinishReason);
        Assert.Equal([alone[0]], one.Row.GeneratedIds);
        Assert.Equal(FinishReason.Eos, eos.Row.FinishReason);
        Assert.Equal(alone.Take(firstRepeat), eos.Row.GeneratedIds);
    }

    [Fact]
    public void Log_probabilities_are_those_of_the_model_and_the_chosen_greedy_token_is_the_most_likely()
    {
        using var lm = WithTwoAdapters("qwen2-qkv-bias");
        IReadOnlyList<int> prompt = [7, 8, 9];
        using var batch = new ContinuousBatch(lm);

        var first = batch.Join(prompt, null, Greedy8, [], topLogprobs: 3);
        Tensor logprobs;
        using (no_grad()) logprobs = lm.Forward(tensor(prompt.Select(i => (long)i).ToArray(), [1, 3]), lastPositionOnly: true).squeeze().log_softmax(-1);   // (V)

        var top = first.Logprobs!.Top;
        Assert.Equal(3, top.Count);
        Assert.Equal(first.Step.TokenId, top[0].TokenId);
        Assert.Equal(first.Logprobs.Logprob, top[0].Logprob);
        Assert.True(top[0].Logprob >= top[1].Logprob && top[1].Logprob >= top[2].Logprob);
        Assert.Equal(logprobs[first.Step.TokenId].item<float>(), first.Logprobs.Logprob, 5);
        batch.Remove(first.Row);
    }
}
