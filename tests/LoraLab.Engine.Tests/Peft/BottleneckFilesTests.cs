using System.Text.Json.Nodes;
using LoraLab.Engine.Checkpoints;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Tests.Models;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Bottleneck;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Tests.Peft;

public sealed class BottleneckFilesTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("loralab-bottleneck-").FullName;
    static readonly int[] Ids = [4, 8, 15, 16, 23, 42];

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static Tensor Logits(CausalLM lm)
    {
        using var _ = no_grad();
        return lm.Forward(tensor(Ids, ScalarType.Int64).unsqueeze(0));
    }

    static BottleneckMethod Trained(CausalLM lm, BottleneckConfig config)
    {
        var method = new BottleneckMethod(config, seed: 2);
        method.Attach(lm);
        using (no_grad()) foreach (var (_, p) in method.TrainableParameters()) p.normal_(0, 0.3);
        return method;
    }

    [Theory]
    [InlineData("both", "relu")]
    [InlineData("mlp", "gelu")]
    public void A_saved_adapter_loads_back_exactly(string placement, string nonLinearity)
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var config = new BottleneckConfig { BottleneckSize = 5, Placement = placement, NonLinearity = nonLinearity };
        Trained(lm, config).Save(lm, dir);

        using var fresh = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var loaded = BottleneckFiles.Load(fresh, dir);

        Assert.Equal(config, loaded);
        using var expected = Logits(lm);
        using var actual = Logits(fresh);
        Assert.True(expected.equal(actual).all().item<bool>());
    }

    [Fact]
    public void The_saved_files_follow_the_documented_layout()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        Trained(lm, new BottleneckConfig { BottleneckSize = 4, Placement = "attention" }).Save(lm, dir);

        using var file = SafetensorsFile.Open(Path.Combine(dir, "adapter_model.safetensors"));
        string p = "base_model.model.model.layers.1.self_attn.o_proj";
        Assert.Equal(8, file.Tensors.Count);
        Assert.Equal([4L, 32], file.Tensors[$"{p}.adapter_down.weight"].Shape);
        Assert.Equal([4L], file.Tensors[$"{p}.adapter_down.bias"].Shape);
        Assert.Equal([32L, 4], file.Tensors[$"{p}.adapter_up.weight"].Shape);
        Assert.Equal([32L], file.Tensors[$"{p}.adapter_up.bias"].Shape);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "adapter_config.json")))!;
        Assert.Equal("LORALAB_BOTTLENECK", json["peft_type"]!.GetValue<string>());
        Assert.Equal(4, json["bottleneck_size"]!.GetValue<int>());
        Assert.Equal("silu", json["non_linearity"]!.GetValue<string>());
        Assert.Equal("attention", json["placement"]!.GetValue<string>());
        Assert.Equal("""["o_proj"]""", json["target_modules"]!.ToJsonString());
    }

    [Fact]
    public void An_adapter_for_another_hidden_size_is_named_and_the_model_is_left_untouched()
    {
        using (var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied")))
            Trained(lm, new BottleneckConfig { BottleneckSize = 4, Placement = "mlp" }).Save(lm, dir);
        using var wider = TinyModels.Create(TinyModels.Config("LlamaForCausalLM", j => j["hidden_size"] = 48));

        var e = Assert.Throws<AdapterMismatchException>(() => BottleneckFiles.Load(wider, dir));

        Assert.Contains("base_model.model.model.layers.0.mlp.down_proj.adapter_down.weight has shape [4, 32] but this base model needs [4, 48]", e.Message);
        Assert.Empty(BottleneckInjection.Layers(wider));
    }
}
