using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Tests.Models;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Engine.Peft.PromptTuning;

namespace LoraLab.Engine.Tests.Peft;

public class PromptTuningMethodTests
{
    static readonly int[] Ids = [3, 17, 42, 5, 60, 0, 9];

    static double[] Flat(Tensor t) => t.detach().to(ScalarType.Float64).data<double>().ToArray();

    static Tensor Row(params int[] ids) => tensor(ids.Select(i => (long)i).ToArray()).unsqueeze(0);   // (1, T)

    static PromptTuningMethod Attached(CausalLM lm, int virtualTokens, long seed = 7)
    {
        var method = new PromptTuningMethod(new PromptTuningConfig { NumVirtualTokens = virtualTokens }, seed: seed);
        method.Attach(lm);
        return method;
    }

    [Theory]
    [MemberData(nameof(TinyModels.Families), MemberType = typeof(TinyModels))]
    public void The_logits_equal_a_float64_reference_run_over_the_virtual_tokens_and_then_the_real_ones(string family)
    {
        using var lm = TinyModels.Create(TinyModels.Named(family));
        var method = Attached(lm, virtualTokens: 3);
        int V = lm.Config.VocabSize, P = 3;

        // The reference sees the virtual tokens as rows V…V+P−1 of a widened embedding table, looked up at positions 0…P−1.
        var weights = ReferenceDecoder.Float64Weights(lm);
        var (table, shape) = weights["model.embed_tokens.weight"];
        weights["model.embed_tokens.weight"] = ([.. table, .. Flat(method.TrainableParameters()[0].Parameter)], [shape[0] + P, shape[1]]);
        var expected = new ReferenceDecoder(lm.Config, weights).Logits([V, V + 1, V + 2, .. Ids]);

        using var _ = no_grad();
        using var logits = method.Forward(lm, Row(Ids), keyIsReal: null);   // (1, T, V)
        Assert.Equal([1, Ids.Length, V], logits.shape);
        var actual = Flat(logits);
        for (int t = 0; t < Ids.Length; t++)
            for (int v = 0; v < V; v++)
                Assert.True(Math.Abs(expected[P + t][v] - actual[t * V + v]) < 2e-4,
                    $"{family}: logit[{t},{v}] = {actual[t * V + v]}, reference {expected[P + t][v]}");
    }

    [Fact]
    public void The_virtual_tokens_change_every_real_logit()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        using var baseLogits = lm.Forward(Row(Ids));
        var method = Attached(lm, virtualTokens: 4);

        using var _ = no_grad();
        using var tuned = method.Forward(lm, Row(Ids), keyIsReal: null);

        using var perPosition = (tuned - baseLogits).abs().amax([2]);   // (1, T)
        Assert.True(perPosition.min().item<float>() > 1e-2, "every real position attends to the virtual tokens");
    }

    [Fact]
    public void Padding_keys_are_masked_behind_the_virtual_tokens()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        var method = Attached(lm, virtualTokens: 4);
        long[] mask = [0, 0, 1, 1, 1, 1, 1];
        using var keyIsReal = tensor(mask).unsqueeze(0);

        using var _ = no_grad();
        using var withZeros = method.Forward(lm, Row(0, 0, 42, 5, 60, 7, 9), keyIsReal);
        using var withOthers = method.Forward(lm, Row(31, 12, 42, 5, 60, 7, 9), keyIsReal);

        // Were the key mask not shifted by the P virtual tokens, the pad ids would leak into the real rows.
        Assert.True(allclose(withZeros.narrow(1, 2, 5), withOthers.narrow(1, 2, 5), rtol: 0, atol: 1e-6));
        Assert.False(allclose(withZeros.narrow(1, 0, 2), withOthers.narrow(1, 0, 2), rtol: 0, atol: 1e-3), "the padding rows themselves do see their ids");
    }

    [Theory]
    [InlineData(7, new[] { 5, 9, 11, 5, 9, 11, 5 })]
    [InlineData(2, new[] { 5, 9 })]
    public void Text_initialisation_repeats_or_truncates_the_init_text_embeddings_to_the_virtual_tokens(int virtualTokens, int[] expectedRows)
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var config = new PromptTuningConfig
        {
            NumVirtualTokens = virtualTokens, PromptTuningInit = PromptTuningConfig.Text,
            PromptTuningInitText = "classify the review", TokenizerNameOrPath = "tiny",
        };
        var method = new PromptTuningMethod(config, initTokenIds: [5, 9, 11]);
        method.Attach(lm);

        var rows = Flat(method.TrainableParameters()[0].Parameter);
        var embeddings = Flat(lm.model.embed_tokens.weight);
        int D = lm.Config.HiddenSize;
        for (int p = 0; p < virtualTokens; p++)
            Assert.Equal(embeddings.AsSpan(expectedRows[p] * D, D).ToArray(), rows.AsSpan(p * D, D).ToArray());
    }

    [Fact]
    public void Text_initialisation_without_token_ids_is_refused()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var config = new PromptTuningConfig { NumVirtualTokens = 4, PromptTuningInit = PromptTuningConfig.Text, PromptTuningInitText = "hello", TokenizerNameOrPath = "tiny" };
        var e = Assert.Throws<PeftConfigException>(() => new PromptTuningMethod(config).Attach(lm));
        Assert.Contains("'hello'", e.Message);
    }

    [Fact]
    public void Random_initialisation_is_standard_normal_and_follows_the_seed()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        using var other = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var a = Flat(Attached(lm, virtualTokens: 64, seed: 3).TrainableParameters()[0].Parameter);
        var b = Flat(Attached(other, virtualTokens: 64, seed: 3).TrainableParameters()[0].Parameter);

        double mean = a.Average(), std = Math.Sqrt(a.Sum(x => (x - mean) * (x - mean)) / (a.Length - 1));
        Assert.Equal(64 * 32, a.Length);
        Assert.InRange(mean, -0.1, 0.1);    // 2048 draws: the standard error of the mean is 0.022
        Assert.InRange(std, 0.93, 1.07);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Training_moves_only_the_prompt_and_leaves_the_base_weights_bit_identical()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        var method = Attached(lm, virtualTokens: 3);
        var before = lm.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var prompt = method.TrainableParameters().Single().Parameter;
        using var promptBefore = prompt.detach().clone();
        using var optimizer = optim.AdamW(method.TrainableParameters().Select(p => p.Parameter), lr: 0.01);

        using var logits = method.Forward(lm, Row(Ids), keyIsReal: null);   // (1, T, V)
        using var loss = nn.functional.cross_entropy(logits.squeeze(0).narrow(0, 0, Ids.Length - 1), tensor(Ids[1..].Select(i => (long)i).ToArray()));
        loss.backward();
        optimizer.step();

        Assert.All(lm.parameters(), p => Assert.Null(p.grad));
        Assert.True(prompt.grad!.abs().sum().item<float>() > 0);
        Assert.False(prompt.equal(promptBefore).all().item<bool>());
        foreach (var (key, value) in lm.state_dict())
            Assert.True(value.equal(before[key]).all().item<bool>(), $"{key} changed");
        Assert.Equal(3 * 32, PeftMethod.Count(lm, method).Trainable);
    }

    [Fact]
    public void Decoding_after_a_prefill_with_the_virtual_token_embeddings_continues_the_tuned_forward()
    {
        using var lm = TinyModels.Create(TinyModels.Named("mistral-sliding-window"));
        var method = Attached(lm, virtualTokens: 2);
        using var _ = no_grad();
        using var full = method.Forward(lm, Row(Ids), keyIsReal: null);   // (1, T, V)

        using var cache = new KvCache(lm.Config.NumHiddenLayers);
        using var prompt = lm.model.embed_tokens.call(Row(Ids[..4]));                                   // (1, 4, D)
        using var prefill = lm.ForwardEmbeddings(cat([method.VirtualTokenEmbeddings(1), prompt], 1), cache: cache, lastPositionOnly: true);
        Assert.True(allclose(prefill, full.narrow(1, 3, 1), rtol: 0, atol: 1e-5));
        for (int t = 4; t < Ids.Length; t++)
        {
            using var step = lm.Forward(Row(Ids[t]), cache: cache);   // (1, 1, V)
            Assert.True(allclose(step, full.narrow(1, t, 1), rtol: 0, atol: 1e-5), $"step {t} differs");
        }
    }
}
