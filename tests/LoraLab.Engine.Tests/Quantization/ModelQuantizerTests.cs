using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Quantization;
using LoraLab.Engine.Tests.Models;
using Xunit.Abstractions;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Tests.Quantization;

public class ModelQuantizerTests(ITestOutputHelper output)
{
    static readonly int[] Ids = [3, 17, 42, 5, 60, 0, 9, 33];

    static Tensor Logits(CausalLM lm)
    {
        using var _ = no_grad();
        return lm.Forward(tensor(Ids, ScalarType.Int64).unsqueeze(0));
    }

    [Fact]
    public void Every_decoder_projection_is_quantized_and_lm_head_embeddings_and_norms_stay_dense()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var dense = lm.model.layers[1].mlp.down_proj as LinearLayer;

        var paths = ModelQuantizer.Quantize(lm, new QuantizationOptions());

        string[] projections = ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"];
        Assert.Equal(Enumerable.Range(0, 2).SelectMany(l => projections.Select(p => $"model.layers.{l}.{p}")).Order(), paths.Order());
        Assert.All(lm.model.layers, layer => Assert.IsType<QuantizedLinear>(layer.self_attn.q_proj));
        Assert.IsType<LinearLayer>(lm.lm_head);
        Assert.Equal(ScalarType.Float32, lm.model.embed_tokens.weight.dtype);
        Assert.True(dense!.weight.IsInvalid, "The dense weight was not freed.");
        var remaining = lm.named_parameters().Select(p => p.name).ToList();
        Assert.DoesNotContain(remaining, n => n.EndsWith("proj.weight", StringComparison.Ordinal));
        Assert.Contains("model.layers.0.self_attn.q_proj.bias", remaining);   // Qwen2's qkv bias stays, in float32
    }

    [Theory]
    [MemberData(nameof(TinyModels.Families), MemberType = typeof(TinyModels))]
    public void A_quantized_tiny_model_gives_logits_as_close_to_the_float_model_as_its_weights_are(string family)
    {
        // transformers' initialisation scale: at TinyModels' std 0.3 the random network is chaotic and turns NF4's 9 %
        // weight error into some 35 % logit error, which says nothing about quantization.
        using var lm = TinyModels.Create(TinyModels.Named(family));
        ModelInitializer.InitializeRandom(lm, seed: 1, std: 0.02);
        var dense = LoraInjection.LinearLayers(lm).Where(l => l.Path.StartsWith("model.", StringComparison.Ordinal)).ToDictionary(l => l.Path, l => ((ILinearWeights)l.Layer).DenseWeight().detach().clone());
        using var expected = Logits(lm);

        ModelQuantizer.Quantize(lm, new QuantizationOptions());
        using var actual = Logits(lm);

        double errorSquares = 0, weightSquares = 0;
        foreach (var (path, _, _, layer) in LoraInjection.LinearLayers(lm).Where(l => dense.ContainsKey(l.Path)))
            using (var w = ((ILinearWeights)layer).DenseWeight())
            {
                errorSquares += (w - dense[path]).square().sum().item<float>();
                weightSquares += dense[path].square().sum().item<float>();
            }
        double weightError = Math.Sqrt(errorSquares / weightSquares);
        double logitError = (actual - expected).norm().item<float>() / expected.norm().item<float>();
        output.WriteLine($"{family}: relative error of NF4 + double quantization: weights {weightError:P2}, logits {logitError:P2}");
        Assert.InRange(weightError, 0.05, 0.12);
        Assert.True(logitError < 1.2 * weightError, $"Relative logit error {logitError:P2} for a weight error of {weightError:P2}.");
        foreach (var w in dense.Values) w.Dispose();
    }

    [Fact]
    public void The_quantized_linear_weights_take_at_most_053_bytes_per_parameter()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama3-rope-scaling"));
        long parameters = LoraInjection.LinearLayers(lm).Where(l => l.Path.StartsWith("model.", StringComparison.Ordinal))
            .Sum(l => ((ILinearWeights)l.Layer).InFeatures * ((ILinearWeights)l.Layer).OutFeatures);

        ModelQuantizer.Quantize(lm, new QuantizationOptions());
        var layers = lm.modules().OfType<QuantizedLinear>().ToList();
        long bytes = layers.Sum(l => l.buffers().Sum(t => t.numel() * t.ElementSize));

        Assert.Equal(layers.Sum(l => l.WeightBytes()), bytes);
        output.WriteLine($"{bytes} bytes for {parameters} weights: {(double)bytes / parameters:F4} bytes per parameter");
        Assert.True((double)bytes / parameters <= 0.53);
    }

    [Fact]
    public void Quantizing_twice_changes_nothing_the_second_time()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        ModelQuantizer.Quantize(lm, new QuantizationOptions());
        using var before = Logits(lm);

        var second = ModelQuantizer.Quantize(lm, new QuantizationOptions { Type = FourBitType.Fp4 });
        using var after = Logits(lm);

        Assert.Empty(second);
        Assert.True(before.equal(after).all().item<bool>());
    }

    [Fact]
    public void A_model_with_lora_adapters_is_refused()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        LoraInjection.Inject(lm, new LoraConfig { TargetModules = ["q_proj"] }, "default");

        var error = Assert.Throws<InvalidOperationException>(() => ModelQuantizer.Quantize(lm, new QuantizationOptions()));

        Assert.Contains("before attaching LoRA adapters", error.Message);
    }
}
