using TorchSharp;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Lora;
using static TorchSharp.torch;

namespace LoraLab.Engine.Tests.Models;

/// <summary>
/// The fused decode layer against the composed libtorch layer. Both are float32 evaluations of the same expression
/// that differ only in the order of summation (dot products, the RMS mean, the softmax sum) and in the exp routine, so
/// neither is the better one in general: the test measures both against the same pass in float64 and asks the fused
/// one to be no further than 4 times the libtorch one's largest error (plus 1e-6 for a libtorch error that happens to
/// be near 0). A wrong index, head or cache column would put it orders of magnitude further.
/// </summary>
public class FusedDecodeLayerTests
{
    static readonly long[][] Real = [[0, 0, 1, 1, 1], [1, 1, 1, 1, 1], [0, 1, 1, 1, 1]];   // three rows, two left-padded

    public static TheoryData<string> Families() => new() { "llama-gqa-tied", "llama3-rope-scaling", "mistral-sliding-window", "qwen2-qkv-bias", "head-dim-10" };

    static ModelConfig Named(string name) => name == "head-dim-10"
        ? TinyModels.Config("LlamaForCausalLM", j => { j["hidden_size"] = 40; j["num_key_value_heads"] = 4; })   // 8-lane tails in every product and head
        : TinyModels.Named(name);

    [Theory]
    [MemberData(nameof(Families))]
    public void A_decode_step_through_fused_layers_is_as_close_to_float64_as_the_libtorch_layers(string family)
    {
        using var lm = TinyModels.Create(Named(family), seed: 5);
        using var lm64 = TinyModels.Create(Named(family), seed: 5);
        lm64.to(ScalarType.Float64);
        AssertFusedAsClose(lm, lm64);
    }

    [Fact]
    public void A_projection_wrapped_by_an_active_lora_adapter_is_called_as_its_module_inside_the_fused_layer()
    {
        using var lm = TinyModels.Create(Named("llama-gqa-tied"), seed: 6);
        var adapters = LoraInjection.Inject(lm, new LoraConfig { R = 4, LoraAlpha = 8, TargetModules = ["q_proj", "o_proj", "up_proj"] }, "lora");
        using (no_grad())
            foreach (var adapter in adapters.Values) { adapter.lora_A.normal_(0, 0.3); adapter.lora_B.normal_(0, 0.3); }
        LoraInjection.SetActive(lm, "lora");
        lm.eval();
        using var lm64 = Float64With(Named("llama-gqa-tied"), seed: 6, adapters);
        AssertFusedAsClose(lm, lm64);
    }

    [Theory]
    [InlineData("llama-gqa-tied")]   // outputs of 32 (one 32-column block of the update), 16 and 48 (a block and a scalar tail)
    [InlineData("head-dim-10")]      // outputs of 40: a block and an 8-column tail
    public void Rows_routed_to_different_adapters_each_get_their_own_update_inside_the_fused_layer(string family)
    {
        var config = Named(family);
        using var lm = TinyModels.Create(config, seed: 8);
        var first = LoraInjection.Inject(lm, new LoraConfig { R = 4, LoraAlpha = 8, TargetModules = ["q_proj", "v_proj", "down_proj"] }, "first");
        var second = LoraInjection.Inject(lm, new LoraConfig { R = 2, LoraAlpha = 2, TargetModules = [LoraConfig.AllLinear] }, "second");
        using (no_grad())
            foreach (var adapter in first.Values.Concat(second.Values)) { adapter.lora_A.normal_(0, 0.3); adapter.lora_B.normal_(0, 0.3); }
        lm.eval();
        Tensor fused, composed;
        using (AdapterRouting.PerRow(lm, ["first", null, "second"]))
        {
            fused = DecodeStep(lm, noGrad: true);
            composed = DecodeStep(lm, noGrad: false);
        }

        IReadOnlyDictionary<string, LoraAdapter>?[] rowAdapters = [first, null, second];
        for (int row = 0; row < 3; row++)
        {
            using var lm64 = Float64With(config, seed: 8, rowAdapters[row]);
            var exact = DecodeStep(lm64, noGrad: true)[row];
            double fusedError = (fused[row] - exact).abs().max().item<double>(), composedError = (composed[row] - exact).abs().max().item<double>();
            Assert.True(fusedError <= 4 * composedError + 1e-6, $"row {row}: fused error {fusedError:E2}, libtorch error {composedError:E2}");
        }
    }

    [Fact]
    public void Only_a_float32_decode_step_without_gradients_takes_the_fused_layer()
    {
        using var lm = TinyModels.Create(Named("llama-gqa-tied"), seed: 7);
        using var cache = new KvCache(lm.Config.NumHiddenLayers);
        var layer = lm.model.layers[0];
        var x = randn([3, 1, lm.Config.HiddenSize]);
        var cos = ones([3, 1, 1, lm.Config.HeadDim]);
        var ctx = new AttentionContext(cos, cos, null, cache);

        using (no_grad())
        {
            Assert.True(FusedDecodeLayer.Applies(layer, x, ctx), "one float32 token per row under no_grad");
            Assert.False(FusedDecodeLayer.Applies(layer, randn([3, 2, lm.Config.HiddenSize]), ctx with { Cos = ones([3, 1, 2, lm.Config.HeadDim]), Sin = ones([3, 1, 2, lm.Config.HeadDim]) }), "a prefill of two tokens");
            Assert.False(FusedDecodeLayer.Applies(layer, x, ctx with { Cache = null }), "no cache");
            Assert.False(FusedDecodeLayer.Applies(layer, randn([9, 1, lm.Config.HiddenSize]), ctx), "more rows than the few-row products take");
        }
        Assert.False(FusedDecodeLayer.Applies(layer, x, ctx), "autograd records");
        using var qwen3 = TinyModels.Create(TinyModels.Named("qwen3-qk-norm-head-dim"), seed: 7);
        using (no_grad())
            Assert.False(FusedDecodeLayer.Applies(qwen3.model.layers[0], randn([3, 1, qwen3.Config.HiddenSize]),
                ctx with { Cos = ones([3, 1, 1, qwen3.Config.HeadDim]), Sin = ones([3, 1, 1, qwen3.Config.HeadDim]) }), "q/k norms stay composed");
    }

    /// <summary>Prefills three left-padded rows, then decodes one token: fused (no_grad), composed (autograd on) and in float64 (<paramref name="lm64"/>, the same weights).</summary>
    static void AssertFusedAsClose(CausalLM lm, CausalLM lm64)
    {
        var fused = DecodeStep(lm, noGrad: true);
        var composed = DecodeStep(lm, noGrad: false);
        var exact = DecodeStep(lm64, noGrad: true);

        double fusedError = (fused - exact).abs().max().item<double>(), composedError = (composed - exact).abs().max().item<double>();
        Assert.True(fusedError <= 4 * composedError + 1e-6, $"fused error {fusedError:E2}, libtorch error {composedError:E2}");
    }

    /// <summary>The model of <paramref name="seed"/> in float64 with each adapter added to its base weight in float64: W + s·BA.</summary>
    static CausalLM Float64With(ModelConfig config, long seed, IReadOnlyDictionary<string, LoraAdapter>? adapters)
    {
        var lm64 = TinyModels.Create(config, seed);
        lm64.to(ScalarType.Float64);
        var linears = LoraInjection.LinearLayers(lm64).ToDictionary(l => l.Path, l => (LinearLayer)l.Layer);
        using (no_grad())
            foreach (var (path, adapter) in adapters ?? new Dictionary<string, LoraAdapter>())
                linears[path].weight.add_(adapter.lora_B.to(ScalarType.Float64).matmul(adapter.lora_A.to(ScalarType.Float64)) * adapter.Scaling);
        return lm64;
    }

    /// <returns>(B, V) float64 logits of the decode step.</returns>
    static Tensor DecodeStep(CausalLM lm, bool noGrad)
    {
        using var cache = new KvCache(lm.Config.NumHiddenLayers);
        var real = tensor(Real.SelectMany(r => r).ToArray(), [3, 5]);                               // (B, T)
        var ids = randint(lm.Config.VocabSize, [3, 5], generator: new Generator(9));               // (B, T)
        var positions = (real.cumsum(1) - 1).clamp_min(0);                                        // (B, T) counting real tokens only
        using (no_grad()) lm.Forward(ids, positions, real, cache);

        var next = randint(lm.Config.VocabSize, [3, 1], generator: new Generator(10));             // (B, 1)
        var nextPositions = real.sum([1], keepdim: true);                                          // (B, 1)
        var nextReal = cat([real, ones([3, 1], ScalarType.Int64)], 1);                             // (B, T + 1)
        using var mode = noGrad ? no_grad() : null;
        return lm.Forward(next, nextPositions, nextReal, cache, lastPositionOnly: true).squeeze(1).detach().to(ScalarType.Float64);
    }
}
