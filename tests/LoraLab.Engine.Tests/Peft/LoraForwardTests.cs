using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Tests.Models;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Dora;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Tests.Peft;

public class LoraForwardTests
{
    static readonly int[] Ids = [3, 17, 42, 5, 60, 0, 9];

    static Tensor Logits(CausalLM lm)
    {
        using var _ = no_grad();
        return lm.Forward(tensor(Ids, ScalarType.Int64).unsqueeze(0));
    }

    static void Randomize(IReadOnlyDictionary<string, LoraAdapter> adapters, long seed)
    {
        using var _ = no_grad();
        var g = new Generator((ulong)seed);
        foreach (var a in adapters.Values)
        {
            a.lora_A.normal_(0, 0.3, g);
            a.lora_B.normal_(0, 0.3, g);
            a.lora_magnitude_vector?.uniform_(0.5, 2.0, g);
        }
    }

    /// <summary>
    /// Folds each adapter into its base weight in float64, straight from the definitions:
    /// LoRA W' = W + s·B·A; DoRA W' = m ⊙ (W + s·B·A) / ‖W + s·B·A‖ (row-wise norm). Bias unchanged.
    /// </summary>
    static Dictionary<string, (double[] Data, long[] Shape)> FoldedWeights(CausalLM lm, IReadOnlyDictionary<string, LoraAdapter> adapters)
    {
        var weights = new Dictionary<string, (double[], long[])>();
        foreach (var (key, value) in ReferenceDecoder.Float64Weights(lm))
            if (!key.Contains(".adapters.")) weights[key.Replace(".base_layer.", ".")] = value;
        foreach (var (path, a) in adapters)
        {
            var (w, shape) = weights[path + ".weight"];
            long outF = shape[0], inF = shape[1];
            var A = a.lora_A.to(ScalarType.Float64).data<double>().ToArray();
            var B = a.lora_B.to(ScalarType.Float64).data<double>().ToArray();
            var folded = new double[w.Length];
            for (long o = 0; o < outF; o++)
            {
                for (long i = 0; i < inF; i++)
                {
                    double delta = 0;
                    for (int k = 0; k < a.Rank; k++) delta += B[o * a.Rank + k] * A[k * inF + i];
                    folded[o * inF + i] = w[o * inF + i] + a.Scaling * delta;
                }
                if (a.IsDora)
                {
                    double m = a.lora_magnitude_vector!.to(ScalarType.Float64).data<double>()[o];
                    double norm = Math.Sqrt(Enumerable.Range(0, (int)inF).Sum(i => folded[o * inF + i] * folded[o * inF + i]));
                    for (long i = 0; i < inF; i++) folded[o * inF + i] *= m / norm;
                }
            }
            weights[path + ".weight"] = (folded, shape);
        }
        return weights;
    }

    [Theory]
    [InlineData("qwen2-qkv-bias", false)]
    [InlineData("qwen2-qkv-bias", true)]
    [InlineData("llama-gqa-tied", true)]
    public void A_freshly_injected_adapter_leaves_the_outputs_unchanged(string family, bool dora)
    {
        using var lm = TinyModels.Create(TinyModels.Named(family));
        using var before = Logits(lm);
        var adapters = LoraInjection.Inject(lm, new LoraConfig { R = 4, LoraAlpha = 8, TargetModules = [LoraConfig.AllLinear], UseDora = dora }, "default");
        if (dora) foreach (var (path, a) in adapters) Initialize(lm, path, a);
        using var after = Logits(lm);
        Assert.True(allclose(before, after, rtol: 0, atol: 1e-5));
    }

    static void Initialize(CausalLM lm, string path, LoraAdapter a)
    {
        using var _ = no_grad();
        var layer = LoraInjection.LinearLayers(lm).Single(l => l.Path == path).Layer as LoraLinear;
        using var norm = DoraVariant.WeightNorm(layer!.Base, a);
        a.lora_magnitude_vector!.copy_(norm);
    }

    [Theory]
    [InlineData("qwen2-qkv-bias", false, false)]
    [InlineData("qwen3-qk-norm-head-dim", false, true)]
    [InlineData("qwen2-qkv-bias", true, false)]
    [InlineData("llama3-rope-scaling", true, true)]
    public void The_adapted_forward_equals_the_folded_weights_recomputed_in_float64(string family, bool dora, bool rslora)
    {
        using var lm = TinyModels.Create(TinyModels.Named(family));
        var config = new LoraConfig
        {
            R = 4, LoraAlpha = 16, UseDora = dora, UseRslora = rslora,
            TargetModules = ["q_proj", "v_proj", "o_proj", "down_proj"], RankPattern = new Dictionary<string, int> { ["down_proj"] = 2 },
        };
        var adapters = LoraInjection.Inject(lm, config, "default");
        Randomize(adapters, seed: 7);
        Assert.Equal(rslora ? 16 / Math.Sqrt(4) : 16 / 4.0, adapters["model.layers.0.self_attn.q_proj"].Scaling);
        Assert.Equal(2, adapters["model.layers.1.mlp.down_proj"].Rank);

        var expected = new ReferenceDecoder(lm.Config, FoldedWeights(lm, adapters)).Logits(Ids);
        using var actual = Logits(lm);
        var flat = actual.to(ScalarType.Float64).data<double>().ToArray();
        var reference = expected.SelectMany(r => r).ToArray();
        var baseOnly = new ReferenceDecoder(lm.Config, FoldedWeights(lm, new Dictionary<string, LoraAdapter>())).Logits(Ids).SelectMany(r => r).ToArray();
        Assert.True(reference.Zip(baseOnly).Max(p => Math.Abs(p.First - p.Second)) > 0.1, "the adapter should change the logits");
        Assert.True(reference.Zip(flat).Max(p => Math.Abs(p.First - p.Second)) < 2e-4);
    }

    [Fact]
    public void Only_adapter_parameters_receive_gradients()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        foreach (var p in lm.parameters()) p.requires_grad = false;
        var adapters = LoraInjection.Inject(lm, new LoraConfig { R = 2, TargetModules = ["q_proj", "v_proj"] }, "default");
        Randomize(adapters, seed: 3);
        using var logits = lm.Forward(tensor(Ids, ScalarType.Int64).unsqueeze(0));
        logits.sum().backward();
        var parameters = lm.named_parameters().ToList();
        Assert.Equal(2 * 2 * 2, parameters.Count(p => p.name.Contains(".adapters.")));
        foreach (var (name, p) in parameters)
        {
            bool isAdapter = name.Contains(".adapters.");
            Assert.Equal(isAdapter, p.grad is not null);
        }
    }

    [Fact]
    public void Targeting_a_module_the_model_does_not_have_lists_the_ones_it_has()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var e = Assert.Throws<PeftConfigException>(() => LoraInjection.Inject(lm, new LoraConfig { TargetModules = ["c_attn"] }, "default"));
        Assert.Contains("[c_attn]", e.Message);
        Assert.Contains("q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj", e.Message);
    }
}
