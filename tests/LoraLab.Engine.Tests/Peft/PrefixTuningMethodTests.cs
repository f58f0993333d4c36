using System.Text.Json.Nodes;
using LoraLab.Engine.Checkpoints;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Tests.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.PrefixTuning;
using LoraLab.Engine.Peft.PromptTuning;

namespace LoraLab.Engine.Tests.Peft;

public sealed class PrefixTuningMethodTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("loralab-prefix-").FullName;
    static readonly int[] X = [11, 4, 52];
    static readonly int[] Y = [3, 17, 42, 5, 60, 0];

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static Tensor Row(params int[] ids) => tensor(ids.Select(i => (long)i).ToArray()).unsqueeze(0);   // (1, T)

    static double[] Flat(Tensor t) => t.detach().to(ScalarType.Float64).data<double>().ToArray();

    static PrefixTuningMethod Attached(CausalLM lm, int virtualTokens, bool projection = false, int? encoderHidden = null)
    {
        var method = new PrefixTuningMethod(new PrefixTuningConfig { NumVirtualTokens = virtualTokens, PrefixProjection = projection, EncoderHiddenSize = encoderHidden }, seed: 5);
        method.Attach(lm);
        return method;
    }

    static Parameter Named(PrefixTuningMethod method, string name) => method.TrainableParameters().Single(p => p.Name == "prompt_encoder.default." + name).Parameter;

    /// <summary>
    /// The prefix table PEFT would hold for the keys and values cached while running <paramref name="prefix"/>, laid out by
    /// hand after PEFT's get_prompt (view (P, L·2, nKV, hD), row 2l = layer l's keys, 2l+1 its values): entry
    /// [p, ((2l + kv)·nKV + h)·hD + d].
    /// </summary>
    static float[] PeftTableOf(CausalLM lm, int[] prefix)
    {
        var c = lm.Config;
        int L = c.NumHiddenLayers, nKV = c.NumKeyValueHeads, hD = c.HeadDim, P = prefix.Length, width = L * 2 * nKV * hD;
        using var cache = new KvCache(L);
        using (no_grad()) lm.Forward(Row(prefix), cache: cache).Dispose();
        var table = new float[P * width];
        for (int l = 0; l < L; l++)
        {
            // Appending nothing returns views of everything cached so far.
            using var nothing = zeros(1, nKV, 0, hD);
            var (k, v) = cache.Append(l, nothing, nothing);   // (1, nKV, P, hD)
            foreach (var (source, kv) in new[] { (k, 0), (v, 1) })
            {
                var data = source.contiguous().data<float>().ToArray();
                for (int h = 0; h < nKV; h++)
                    for (int p = 0; p < P; p++)
                        for (int d = 0; d < hD; d++)
                            table[p * width + ((2 * l + kv) * nKV + h) * hD + d] = data[(h * P + p) * hD + d];
            }
        }
        return table;
    }

    void WritePeftAdapter(CausalLM lm, int virtualTokens, float[] table)
    {
        var c = lm.Config;
        int tokenDim = c.NumKeyValueHeads * c.HeadDim;
        // As PEFT's save_pretrained writes it: sorted keys, inference_mode true, token_dim and heads of the KV cache, and
        // fields of newer PEFT versions this reader has no use for.
        File.WriteAllText(Path.Combine(dir, "adapter_config.json"), new JsonObject
        {
            ["auto_mapping"] = null, ["base_model_name_or_path"] = "tiny", ["encoder_hidden_size"] = tokenDim, ["inference_mode"] = true,
            ["init_weights"] = null, ["modules_to_save"] = null, ["num_attention_heads"] = c.NumKeyValueHeads, ["num_layers"] = c.NumHiddenLayers,
            ["num_transformer_submodules"] = 1, ["num_virtual_tokens"] = virtualTokens, ["peft_type"] = "PREFIX_TUNING", ["peft_version"] = "0.17.1",
            ["prefix_projection"] = false, ["revision"] = null, ["task_type"] = "CAUSAL_LM", ["token_dim"] = tokenDim,
        }.ToJsonString());
        using var tensorTable = tensor(table).view(virtualTokens, -1);
        SafetensorsWriter.Write(Path.Combine(dir, "adapter_model.safetensors"), [KeyValuePair.Create("prompt_embeddings", tensorTable)]);
    }

    [Theory]
    [MemberData(nameof(TinyModels.Families), MemberType = typeof(TinyModels))]
    public void A_prefix_of_the_cached_keys_and_values_of_real_tokens_reproduces_running_those_tokens_in_front(string family)
    {
        using var lm = TinyModels.Create(TinyModels.Named(family));
        WritePeftAdapter(lm, X.Length, PeftTableOf(lm, X));
        using var both = lm.Forward(Row([.. X, .. Y]));   // (1, |X|+|Y|, V): Y at positions |X|…
        var method = PrefixTuningMethod.Load(lm, dir);

        using var _ = no_grad();
        using var tuned = method.Forward(lm, Row(Y), keyIsReal: null);   // (1, |Y|, V)

        // The two runs sum their products in different orders (six rows without gradients take FewRowLinear, nine with
        // them libtorch's GEMM), so they agree to float32 rounding carried through the layers: logits of magnitude ~8
        // have an ulp of 1e-6, and a dozen products of up to 48 terms along the way each add a few ulps.
        Assert.True(allclose(tuned, both.narrow(1, X.Length, Y.Length), rtol: 0, atol: 1e-4), $"{family}: the prefix should stand in for X");
        using var alone = lm.Forward(Row(Y));
        Assert.False(allclose(tuned, alone, rtol: 0, atol: 1e-3), "the prefix should matter");
    }

    [Fact]
    public void A_prefix_masked_out_leaves_the_base_logits_because_rotary_positions_are_relative()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama3-rope-scaling"));
        var method = Attached(lm, virtualTokens: 4);
        using var _ = no_grad();
        using var baseLogits = lm.Forward(Row(Y));

        using var cache = method.CreatePrefilledCache(1);
        using var keyIsReal = cat([zeros(1, 4, ScalarType.Int64), ones(1, Y.Length, ScalarType.Int64)], 1);   // (1, P+T)
        using var masked = lm.Forward(Row(Y), keyIsReal: keyIsReal, cache: cache);

        Assert.True(allclose(masked, baseLogits, rtol: 0, atol: 1e-4));
    }

    [Fact]
    public void A_zero_prefix_equals_zero_virtual_token_embeddings_in_a_model_without_biases()
    {
        // With no biases a zero embedding stays zero through every layer (RMSNorm, projections and MLP map 0 to 0), so
        // its keys and values are zero everywhere: the same P attended-but-empty entries as a zero prefix.
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        var prefix = Attached(lm, virtualTokens: 3);
        var prompt = new PromptTuningMethod(new PromptTuningConfig { NumVirtualTokens = 3 });
        prompt.Attach(lm);
        using (no_grad())
        {
            Named(prefix, "embedding.weight").zero_();
            prompt.TrainableParameters()[0].Parameter.zero_();
        }

        using var _ = no_grad();
        using var viaPrefix = prefix.Forward(lm, Row(Y), keyIsReal: null);
        using var viaPrompt = prompt.Forward(lm, Row(Y), keyIsReal: null);
        using var baseLogits = lm.Forward(Row(Y));

        Assert.True(allclose(viaPrefix, viaPrompt, rtol: 0, atol: 1e-5));
        Assert.False(allclose(viaPrefix, baseLogits, rtol: 0, atol: 1e-3), "zero keys still take softmax weight from the real ones");
    }

    [Fact]
    public void Padding_keys_are_masked_behind_the_prefix()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var method = Attached(lm, virtualTokens: 3);
        using var keyIsReal = tensor(new long[,] { { 1, 1, 1, 1, 1 }, { 0, 0, 1, 1, 1 } });   // (2, T)

        using var _ = no_grad();
        using var a = method.Forward(lm, cat([Row(5, 6, 42, 5, 60), Row(0, 0, 42, 5, 60)]), keyIsReal);
        using var b = method.Forward(lm, cat([Row(5, 6, 42, 5, 60), Row(31, 12, 42, 5, 60)]), keyIsReal);

        Assert.True(allclose(a[1].narrow(0, 2, 3), b[1].narrow(0, 2, 3), rtol: 0, atol: 1e-6));
        Assert.True(a[0].equal(b[0]).all().item<bool>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Training_sends_gradients_through_the_cache_into_the_prefix_only_and_leaves_the_base_bit_identical(bool projection)
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen3-qk-norm-head-dim"));
        var method = Attached(lm, virtualTokens: 3, projection);
        var before = lm.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var trainable = method.TrainableParameters();
        var startValues = trainable.Select(p => p.Parameter.detach().clone()).ToList();
        using var optimizer = optim.AdamW(trainable.Select(p => p.Parameter), lr: 0.01);

        using var logits = method.Forward(lm, Row(Y), keyIsReal: null);   // (1, T, V)
        using var loss = nn.functional.cross_entropy(logits.squeeze(0).narrow(0, 0, Y.Length - 1), tensor(Y[1..].Select(i => (long)i).ToArray()));
        loss.backward();
        optimizer.step();

        Assert.All(lm.parameters(), p => Assert.Null(p.grad));
        Assert.All(trainable, p => Assert.True(p.Parameter.grad!.abs().sum().item<float>() > 0, $"{p.Name} got no gradient"));
        Assert.All(trainable.Zip(startValues), p => Assert.False(p.First.Parameter.equal(p.Second).all().item<bool>(), $"{p.First.Name} did not move"));
        foreach (var (key, value) in lm.state_dict())
            Assert.True(value.equal(before[key]).all().item<bool>(), $"{key} changed");
    }

    [Fact]
    public void The_parameters_are_named_and_shaped_as_peft_s_prefix_encoder()
    {
        static string[] Described(PrefixTuningMethod m) => m.TrainableParameters().Select(p => $"{p.Name} {string.Join("x", p.Parameter.shape)}").ToArray();
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));   // nKV·hD = 2·8 = 16, 2 layers: table width 64
        using var other = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));

        var plain = Described(Attached(lm, virtualTokens: 3));
        var projected = Described(Attached(other, virtualTokens: 3, projection: true, encoderHidden: 10));

        Assert.Equal(["prompt_encoder.default.embedding.weight 3x64"], plain);
        Assert.Equal(
        [
            "prompt_encoder.default.embedding.weight 3x16",
            "prompt_encoder.default.transform.0.weight 10x16", "prompt_encoder.default.transform.0.bias 10",
            "prompt_encoder.default.transform.2.weight 64x10", "prompt_encoder.default.transform.2.bias 64",
        ], projected);
    }

    [Fact]
    public void A_projected_prefix_is_saved_as_its_mlp_output_and_loads_back_as_a_plain_prefix_with_the_same_logits()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var method = Attached(lm, virtualTokens: 2, projection: true, encoderHidden: 6);
        method.Save(lm, dir);

        // Li and Liang's reparameterisation in float64: table[p] = W2 · tanh(W1 · e[p] + b1) + b2.
        var e = Flat(Named(method, "embedding.weight"));
        var w1 = Flat(Named(method, "transform.0.weight"));
        var b1 = Flat(Named(method, "transform.0.bias"));
        var w2 = Flat(Named(method, "transform.2.weight"));
        var b2 = Flat(Named(method, "transform.2.bias"));
        int D = 8, H = 6, W = b2.Length;   // Qwen2 tiny: one KV head of 8
        using var file = SafetensorsFile.Open(Path.Combine(dir, "adapter_model.safetensors"));
        Assert.Equal(["prompt_embeddings"], file.Tensors.Keys);
        Assert.Equal([2L, 2 * 2 * D], file.Tensors["prompt_embeddings"].Shape);
        var saved = Flat(file.Load("prompt_embeddings"));
        for (int p = 0; p < 2; p++)
        {
            var hidden = Enumerable.Range(0, H).Select(k => Math.Tanh(b1[k] + Enumerable.Range(0, D).Sum(i => w1[k * D + i] * e[p * D + i]))).ToArray();
            for (int j = 0; j < W; j++)
                Assert.Equal(b2[j] + Enumerable.Range(0, H).Sum(k => w2[j * H + k] * hidden[k]), saved[p * W + j], 5);
        }

        using var fresh = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var loaded = PrefixTuningMethod.Load(fresh, dir);
        Assert.True(loaded.Config.PrefixProjection);
        Assert.Equal(["prompt_encoder.default.embedding.weight"], loaded.TrainableParameters().Select(p => p.Name));
        using var _ = no_grad();
        using var expected = method.Forward(lm, Row(Y), keyIsReal: null);
        using var actual = loaded.Forward(fresh, Row(Y), keyIsReal: null);
        Assert.True(expected.equal(actual).all().item<bool>());
    }

    [Fact]
    public void Decoding_from_the_prefilled_cache_continues_the_prefix_tuned_forward()
    {
        using var lm = TinyModels.Create(TinyModels.Named("mistral-sliding-window"));
        var method = Attached(lm, virtualTokens: 2);
        using var _ = no_grad();
        using var full = method.Forward(lm, Row(Y), keyIsReal: null);   // (1, T, V)

        using var cache = method.CreatePrefilledCache(1);
        Assert.Equal(2, cache.Length);
        using var prefill = lm.Forward(Row(Y[..3]), cache: cache);
        Assert.True(allclose(prefill, full.narrow(1, 0, 3), rtol: 0, atol: 1e-5));
        for (int t = 3; t < Y.Length; t++)
        {
            using var step = lm.Forward(Row(Y[t]), cache: cache);   // (1, 1, V)
            Assert.True(allclose(step, full.narrow(1, t, 1), rtol: 0, atol: 1e-5), $"step {t} differs");
        }
    }
}
