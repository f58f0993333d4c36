using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Tests.Models;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Engine.Peft.QLora;

namespace LoraLab.Engine.Tests.Peft;

public class LoraMethodTests
{
    [Fact]
    public void Default_initialisation_is_kaiming_uniform_for_A_and_zero_for_B()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var method = new LoraMethod(new LoraConfig { R = 8, TargetModules = ["up_proj"] }, seed: 1);
        method.Attach(lm);

        var a = ((LoraLinear)lm.model.layers[0].mlp.up_proj).adapters["default"];
        double bound = 1 / Math.Sqrt(32);   // U(−1/√in, 1/√in), std = bound/√3
        Assert.True(a.lora_A.abs().max().item<float>() <= bound);
        Assert.Equal(bound / Math.Sqrt(3), a.lora_A.std().item<float>(), 2);
        Assert.Equal(0, a.lora_B.abs().sum().item<float>());
    }

    [Fact]
    public void A_dora_magnitude_starts_at_the_row_norms_of_the_base_weight()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var w = lm.model.layers[1].self_attn.v_proj is LinearLayer l ? l.weight.to(ScalarType.Float64).data<double>().ToArray() : [];
        new LoraMethod(new LoraConfig { R = 2, TargetModules = ["v_proj"], UseDora = true }).Attach(lm);

        var m = ((LoraLinear)lm.model.layers[1].self_attn.v_proj).adapters["default"].lora_magnitude_vector!.to(ScalarType.Float64).data<double>().ToArray();
        int inF = 32;
        for (int o = 0; o < m.Length; o++)
            Assert.Equal(Math.Sqrt(Enumerable.Range(0, inF).Sum(i => w[o * inF + i] * w[o * inF + i])), m[o], 5);
    }

    [Fact]
    public void Only_the_adapter_is_trainable_and_its_names_are_peft_keys()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        var method = new LoraMethod(new LoraConfig { R = 4, TargetModules = ["q_proj", "v_proj"] });
        method.Attach(lm);

        var trainable = method.TrainableParameters();
        Assert.Equal(2 * 2 * 2, trainable.Count);
        Assert.Contains(trainable, p => p.Name == "base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight");
        Assert.Equal(trainable.Count, lm.parameters().Count(p => p.requires_grad));
        var (count, total, percent) = PeftMethod.Count(lm, method);
        Assert.Equal(2 * (4 * 32 + 32 * 4) + 2 * (4 * 32 + 16 * 4), count);
        Assert.Equal(100.0 * count / total, percent);
    }
}

public class QuantizedParameterCountTests
{
    [Fact]
    public void A_quantized_base_counts_its_full_parameter_count_in_the_total()
    {
        using var dense = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        var loraConfig = new LoraConfig { R = 2, TargetModules = ["q_proj"] };
        var lora = new LoraMethod(loraConfig);
        lora.Attach(dense);
        using var quantized = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        var qlora = new QLoraMethod(loraConfig);
        qlora.Attach(quantized);

        var expected = PeftMethod.Count(dense, lora);
        Assert.Equal(dense.Config.ParameterCount() + expected.Trainable, expected.Total);
        Assert.Equal(expected, PeftMethod.Count(quantized, qlora));
    }
}
