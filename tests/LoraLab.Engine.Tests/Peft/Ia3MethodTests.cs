using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Tests.Models;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Ia3;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Tests.Peft;

public class Ia3MethodTests
{
    static readonly int[] Ids = [3, 17, 42, 5, 60, 0, 9];

    static Tensor Logits(CausalLM lm)
    {
        using var _ = no_grad();
        return lm.Forward(tensor(Ids, ScalarType.Int64).unsqueeze(0));
    }

    static void Randomize(IEnumerable<Ia3Linear> layers, long seed)
    {
        using var _ = no_grad();
        var g = new Generator((ulong)seed);
        foreach (var layer in layers) layer.ia3_l.uniform_(0.2, 2.5, g);
    }

    /// <summary>
    /// Folds each vector into its base weight in float64, from the paper's definitions: keys and values scale the
    /// output, W' = diag(l)·W and b' = l ⊙ b; a feed-forward layer scales its input, W' = W·diag(l), b unchanged.
    /// </summary>
    static Dictionary<string, (double[] Data, long[] Shape)> FoldedWeights(CausalLM lm)
    {
        var weights = new Dictionary<string, (double[], long[])>();
        foreach (var (key, value) in ReferenceDecoder.Float64Weights(lm))
            if (!key.EndsWith(".ia3_l", StringComparison.Ordinal)) weights[key.Replace(".base_layer.", ".")] = value;
        foreach (var (path, layer) in Ia3Injection.Layers(lm))
        {
            var l = layer.ia3_l.to(ScalarType.Float64).data<double>().ToArray();
            var (w, shape) = weights[path + ".weight"];
            long outF = shape[0], inF = shape[1];
            var folded = new double[w.Length];
            for (long o = 0; o < outF; o++)
                for (long i = 0; i < inF; i++)
                    folded[o * inF + i] = w[o * inF + i] * (layer.IsFeedforward ? l[i] : l[o]);
            weights[path + ".weight"] = (folded, shape);
            if (!layer.IsFeedforward && weights.TryGetValue(path + ".bias", out var bias))
                weights[path + ".bias"] = (bias.Item1.Select((b, o) => b * l[o]).ToArray(), bias.Item2);
        }
        return weights;
    }

    [Theory]
    [InlineData("llama-gqa-tied")]
    [InlineData("qwen2-qkv-bias")]
    public void Fresh_vectors_are_ones_and_leave_the_outputs_unchanged(string family)
    {
        using var lm = TinyModels.Create(TinyModels.Named(family));
        using var before = Logits(lm);
        var method = new Ia3Method(Ia3Config.For(lm.Config.Family));
        method.Attach(lm);

        using var after = Logits(lm);
        Assert.All(method.TrainableParameters(), p => Assert.True(p.Parameter.eq(1).all().item<bool>()));
        Assert.True(before.equal(after).all().item<bool>());
    }

    [Theory]
    [InlineData("llama3-rope-scaling", new[] { "k_proj", "v_proj", "down_proj" })]
    [InlineData("qwen2-qkv-bias", new[] { "k_proj", "v_proj", "down_proj" })]
    [InlineData("qwen3-qk-norm-head-dim", new[] { "q_proj", "v_proj", "up_proj", "down_proj" })]
    public void The_scaled_forward_equals_the_folded_weights_recomputed_in_float64(string family, string[] targets)
    {
        using var lm = TinyModels.Create(TinyModels.Named(family));
        RandomizeBiases(lm);
        var layers = Ia3Injection.Inject(lm, new Ia3Config { TargetModules = targets, FeedforwardModules = ["down_proj"] });
        Randomize(layers.Values, seed: 11);

        var reference = new ReferenceDecoder(lm.Config, FoldedWeights(lm)).Logits(Ids).SelectMany(r => r).ToArray();
        using var actual = Logits(lm);
        var flat = actual.to(ScalarType.Float64).data<double>().ToArray();

        var baseOnly = BaseLogits(family);
        Assert.True(reference.Zip(baseOnly).Max(p => Math.Abs(p.First - p.Second)) > 0.1, "the vectors should change the logits");
        Assert.True(reference.Zip(flat).Max(p => Math.Abs(p.First - p.Second)) < 2e-4);
    }

    /// <summary>Tiny models start with zero biases, which would hide whether a bias is scaled.</summary>
    static void RandomizeBiases(CausalLM lm)
    {
        using var _ = no_grad();
        var g = new Generator(13);
        foreach (var (name, p) in lm.named_parameters())
            if (name.EndsWith(".bias", StringComparison.Ordinal)) p.normal_(0, 0.5, g);
    }

    static double[] BaseLogits(string family)
    {
        using var lm = TinyModels.Create(TinyModels.Named(family));
        RandomizeBiases(lm);
        return new ReferenceDecoder(lm).Logits(Ids).SelectMany(r => r).ToArray();
    }

    [Fact]
    public void Keys_and_values_scale_outputs_and_the_feed_forward_layer_scales_its_input()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        var method = new Ia3Method(Ia3Config.For(ModelFamily.Llama));
        method.Attach(lm);

        var shapes = method.TrainableParameters().ToDictionary(p => p.Name, p => p.Parameter.shape);
        // 4 heads of 8 with 2 KV heads: k and v have 16 outputs; down_proj has 48 inputs.
        Assert.Equal(
            ["k_proj", "v_proj", "down_proj", "k_proj", "v_proj", "down_proj"],
            method.TrainableParameters().Select(p => p.Name.Split('.')[^2]));
        Assert.Equal([16L, 1], shapes["base_model.model.model.layers.0.self_attn.k_proj.ia3_l"]);
        Assert.Equal([16L, 1], shapes["base_model.model.model.layers.1.self_attn.v_proj.ia3_l"]);
        Assert.Equal([1L, 48], shapes["base_model.model.model.layers.1.mlp.down_proj.ia3_l"]);
    }

    [Fact]
    public void Qwen_models_get_peft_default_targets_q_v_and_down()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var method = new Ia3Method(Ia3Config.For(lm.Config.Family));
        method.Attach(lm);

        Assert.Equal(["q_proj", "v_proj", "down_proj"], method.TrainableParameters().Take(3).Select(p => p.Name.Split('.')[^2]));
    }

    [Fact]
    public void Trainable_count_and_share_match_the_hand_computed_numbers()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        var method = new Ia3Method(Ia3Config.For(ModelFamily.Llama));
        method.Attach(lm);

        var (trainable, total, percent) = PeftMethod.Count(lm, method);
        // Per block: k 16 + v 16 + down 48 = 80; two blocks.
        Assert.Equal(160, trainable);
        // Embeddings 61·32 = 1952 (tied head); per block q 1024, k 512, v 512, o 1024, gate/up/down 3·1536, norms 64 = 7744; final norm 32.
        Assert.Equal(1952 + 2 * 7744 + 32 + 160, total);
        Assert.Equal(100.0 * 160 / 17632, percent, 12);
        Assert.Equal(160, lm.parameters().Where(p => p.requires_grad).Sum(p => p.numel()));
    }

    [Fact]
    public void Only_the_vectors_receive_gradients_and_an_optimizer_step_leaves_the_base_bit_identical()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var method = new Ia3Method(Ia3Config.For(lm.Config.Family));
        method.Attach(lm);
        var baseBefore = lm.named_parameters().Where(p => !p.name.EndsWith(".ia3_l")).ToDictionary(p => p.name, p => p.parameter.detach().clone());
        var vectorsBefore = method.TrainableParameters().Select(p => p.Parameter.detach().clone()).ToList();

        var optimizer = optim.AdamW(method.TrainableParameters().Select(p => p.Parameter), lr: 0.01, weight_decay: 0.1);
        using (var loss = method.Forward(lm, tensor(Ids, ScalarType.Int64).unsqueeze(0), null).logsumexp(-1).mean())
            loss.backward();
        foreach (var (name, p) in lm.named_parameters())
            Assert.True(name.EndsWith(".ia3_l") == (p.grad is not null), name);
        optimizer.step();

        foreach (var (name, p) in lm.named_parameters().Where(p => !p.name.EndsWith(".ia3_l")))
            Assert.True(p.equal(baseBefore[name]).all().item<bool>(), name);
        Assert.All(method.TrainableParameters().Zip(vectorsBefore), pair => Assert.False(pair.First.Parameter.equal(pair.Second).all().item<bool>()));
    }

    [Fact]
    public void Merging_folds_the_vectors_into_the_weights_and_keeps_the_outputs()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        RandomizeBiases(lm);
        var layers = Ia3Injection.Inject(lm, new Ia3Config { TargetModules = ["k_proj", "v_proj", "down_proj"] });
        Randomize(layers.Values, seed: 5);
        using var before = Logits(lm);

        Ia3Injection.Merge(lm);

        using var after = Logits(lm);
        Assert.Empty(Ia3Injection.Layers(lm));
        Assert.IsType<LinearLayer>(lm.model.layers[0].self_attn.k_proj);
        using var plain = TinyModels.Create(lm.Config);
        Assert.Equal(plain.state_dict().Keys, lm.state_dict().Keys);
        Assert.True(allclose(before, after, rtol: 1e-4, atol: 1e-4));
    }

    [Fact]
    public void A_feed_forward_module_outside_the_targets_is_a_config_error()
    {
        var e = Assert.Throws<PeftConfigException>(() => new Ia3Config { TargetModules = ["k_proj"], FeedforwardModules = ["down_proj"] }.Validate());
        Assert.Contains("'down_proj'", e.Message);
    }
}
