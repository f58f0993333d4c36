using System.Text.Json.Nodes;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Quantization;
using LoraLab.Engine.Tests.Models;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Engine.Peft.QLora;

namespace LoraLab.Engine.Tests.Peft;

public sealed class QLoraMethodTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("loralab-qlora-").FullName;
    static readonly long[] Ids = [4, 8, 15, 16, 23, 42, 7];
    static readonly LoraConfig AllLinear = new() { R = 4, LoraAlpha = 8, TargetModules = [LoraConfig.AllLinear] };

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static void RandomizeB(IPeftMethod method, long seed)
    {
        using var _ = no_grad();
        var g = new Generator((ulong)seed);
        foreach (var (name, p) in method.TrainableParameters())
            if (name.EndsWith("lora_B.weight", StringComparison.Ordinal)) p.normal_(0, 0.3, g);
    }

    static Tensor Loss(IPeftMethod method, CausalLM lm)
    {
        using var scope = NewDisposeScope();
        var ids = tensor(Ids).unsqueeze(0);
        var logits = method.Forward(lm, ids, null);   // (1, T, V)
        var loss = nn.functional.cross_entropy(logits[0, ..^1], ids[0, 1..]);
        return loss.MoveToOuterDisposeScope();
    }

    [Fact]
    public void Attaching_quantizes_the_base_and_only_the_adapters_train()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var method = new QLoraMethod(AllLinear, seed: 1);

        method.Attach(lm);

        Assert.Equal("qlora", method.Kind);
        var q = Assert.IsType<LoraLinear>(lm.model.layers[0].self_attn.q_proj);
        Assert.IsType<QuantizedLinear>(q.base_layer);
        Assert.IsType<LinearLayer>(lm.lm_head);   // "all-linear" leaves lm_head out, as PEFT does
        var trainable = method.TrainableParameters();
        Assert.Equal(2 * 7 * 2, trainable.Count);
        Assert.Equal(trainable.Count, lm.parameters().Count(p => p.requires_grad));
    }

    [Fact]
    public void Gradients_reach_every_adapter_as_in_a_dense_model_holding_the_dequantized_weights()
    {
        using var quantized = TinyModels.Create(TinyModels.Named("llama3-rope-scaling"));
        var qlora = new QLoraMethod(AllLinear, seed: 2);
        qlora.Attach(quantized);
        using var dense = TinyModels.Create(TinyModels.Named("llama3-rope-scaling"));
        var bases = LoraInjection.LinearLayers(quantized).ToDictionary(l => l.Path, l => l.Layer is LoraLinear lora ? lora.Base : (ILinearWeights)l.Layer);
        using (no_grad())
            foreach (var (path, _, _, layer) in LoraInjection.LinearLayers(dense))
                using (var w = bases[path].DenseWeight().detach().clone())
                    ((LinearLayer)layer).weight.copy_(w);
        var lora = new LoraMethod(AllLinear, seed: 2);
        lora.Attach(dense);
        RandomizeB(qlora, 3);
        RandomizeB(lora, 3);

        using (var loss = Loss(qlora, quantized)) loss.backward();
        using (var loss = Loss(lora, dense)) loss.backward();

        var expected = lora.TrainableParameters().ToDictionary(p => p.Name, p => p.Parameter);
        foreach (var (name, p) in qlora.TrainableParameters())
        {
            Assert.NotNull(p.grad);
            Assert.True(p.grad!.abs().sum().item<float>() > 0, $"{name} received a zero gradient.");
            Assert.True(allclose(expected[name].grad!, p.grad!, rtol: 1e-4, atol: 1e-6), $"{name}: gradient differs from the dense model's.");
        }
        Assert.All(quantized.parameters().Where(p => !p.requires_grad), p => Assert.Null(p.grad));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_saved_adapter_is_a_plain_peft_lora_adapter_that_loads_back_on_a_quantized_model_exactly(bool dora)
    {
        var config = AllLinear with { UseDora = dora };
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var method = new QLoraMethod(config, seed: 4);
        method.Attach(lm);
        RandomizeB(method, 5);
        method.Save(lm, dir);

        using var fresh = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        ModelQuantizer.Quantize(fresh, method.Quantization);
        PeftLoraFiles.Load(fresh, dir);

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, AdapterFolder.ConfigFile)))!;
        Assert.Equal("LORA", json["peft_type"]!.GetValue<string>());
        Assert.Equal(dora, json["use_dora"]!.GetValue<bool>());
        using var _ = no_grad();
        using var expected = method.Forward(lm, tensor(Ids).unsqueeze(0), null);
        using var actual = fresh.Forward(tensor(Ids).unsqueeze(0));
        Assert.True(expected.equal(actual).all().item<bool>());
    }
}
