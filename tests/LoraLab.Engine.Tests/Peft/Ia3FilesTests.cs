using System.Text.Json.Nodes;
using LoraLab.Engine.Checkpoints;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Tests.Models;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Ia3;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Tests.Peft;

public sealed class Ia3FilesTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("loralab-ia3-").FullName;
    static readonly int[] Ids = [4, 8, 15, 16, 23, 42];

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static void SaveFresh(CausalLM lm, string dir)
    {
        var method = new Ia3Method(Ia3Config.For(lm.Config.Family));
        method.Attach(lm);
        method.Save(lm, dir);
    }

    static Tensor Logits(CausalLM lm)
    {
        using var _ = no_grad();
        return lm.Forward(tensor(Ids, ScalarType.Int64).unsqueeze(0));
    }

    [Fact]
    public void A_saved_adapter_loads_back_exactly()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var method = new Ia3Method(Ia3Config.For(lm.Config.Family));
        method.Attach(lm);
        using (no_grad()) foreach (var (_, p) in method.TrainableParameters()) p.uniform_(0.5, 1.5);
        method.Save(lm, dir);

        using var fresh = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var config = Ia3Files.Load(fresh, dir);

        Assert.Equal(["q_proj", "v_proj", "down_proj"], config.TargetModules);
        using var expected = Logits(lm);
        using var actual = Logits(fresh);
        Assert.True(expected.equal(actual).all().item<bool>());
    }

    [Fact]
    public void The_saved_files_follow_peft_names_shapes_and_config_fields()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        SaveFresh(lm, dir);

        using var file = SafetensorsFile.Open(Path.Combine(dir, "adapter_model.safetensors"));
        Assert.Equal(6, file.Tensors.Count);
        Assert.Equal([16L, 1], file.Tensors["base_model.model.model.layers.0.self_attn.k_proj.ia3_l"].Shape);
        Assert.Equal([1L, 48], file.Tensors["base_model.model.model.layers.1.mlp.down_proj.ia3_l"].Shape);
        Assert.Equal(SafetensorsDType.F32, file.Tensors["base_model.model.model.layers.1.mlp.down_proj.ia3_l"].DType);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "adapter_config.json")))!;
        Assert.Equal("IA3", json["peft_type"]!.GetValue<string>());
        Assert.Equal("CAUSAL_LM", json["task_type"]!.GetValue<string>());
        Assert.Equal("""["k_proj","v_proj","down_proj"]""", json["target_modules"]!.ToJsonString());
        Assert.Equal("""["down_proj"]""", json["feedforward_modules"]!.ToJsonString());
        Assert.False(json["fan_in_fan_out"]!.GetValue<bool>());
        Assert.True(json["init_ia3_weights"]!.GetValue<bool>());
    }

    [Fact]
    public void An_adapter_written_by_peft_scales_the_layers_it_names()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        File.WriteAllText(Path.Combine(dir, "adapter_config.json"), """
            {"auto_mapping": null, "base_model_name_or_path": "HuggingFaceTB/SmolLM2-135M", "exclude_modules": null,
             "fan_in_fan_out": false, "feedforward_modules": ["down_proj"], "inference_mode": true, "init_ia3_weights": true,
             "modules_to_save": null, "peft_type": "IA3", "revision": null, "target_modules": ["down_proj", "v_proj", "k_proj"],
             "task_type": "CAUSAL_LM"}
            """);
        var weights = new Dictionary<string, Tensor>();
        for (int l = 0; l < 2; l++)
        {
            string p = $"base_model.model.model.layers.{l}.";
            weights[p + "self_attn.k_proj.ia3_l"] = full([16, 1], 1.0f);
            weights[p + "self_attn.v_proj.ia3_l"] = full([16, 1], l == 1 ? 3.0f : 1.0f);
            weights[p + "mlp.down_proj.ia3_l"] = full([1, 48], 1.0f);
        }
        SafetensorsWriter.Write(Path.Combine(dir, "adapter_model.safetensors"), weights);
        var v = ((LinearLayer)lm.model.layers[1].self_attn.v_proj).weight;
        using var x = randn(2, 32);
        using var plain = v.matmul(x.T).T;   // (2, 16)

        var config = Ia3Files.Load(lm, dir);

        var layer = (Ia3Linear)lm.model.layers[1].self_attn.v_proj;
        using var scaled = layer.call(x);
        Assert.Equal("HuggingFaceTB/SmolLM2-135M", config.BaseModelNameOrPath);
        Assert.True(allclose(scaled, 3 * plain, rtol: 1e-5, atol: 1e-5));
        Assert.True(((Ia3Linear)lm.model.layers[0].mlp.down_proj).IsFeedforward);
    }

    [Fact]
    public void A_vector_of_the_wrong_shape_is_named_and_the_model_is_left_untouched()
    {
        using (var small = TinyModels.Create(TinyModels.Named("llama-gqa-tied")))
            SaveFresh(small, dir);
        using var wider = TinyModels.Create(TinyModels.Config("LlamaForCausalLM", j => j["intermediate_size"] = 64));

        var e = Assert.Throws<AdapterMismatchException>(() => Ia3Files.Load(wider, dir));

        Assert.Contains("base_model.model.model.layers.0.mlp.down_proj.ia3_l has shape [1, 48] but this base model needs [1, 64]", e.Message);
        Assert.Contains("(and 1 more problems)", e.Message);
        Assert.Empty(Ia3Injection.Layers(wider));
    }

    [Theory]
    [InlineData("all-linear")]
    [InlineData(@".*\.(k_proj|down_proj)")]
    public void String_valued_module_lists_round_trip_as_peft_writes_them(string targets)
    {
        var json = new JsonObject { ["peft_type"] = "IA3", ["target_modules"] = targets, ["feedforward_modules"] = ".*down_proj" };

        var config = Ia3Config.FromJson(json);

        Assert.Equal(targets, config.ToJson()["target_modules"]!.GetValue<string>());
        Assert.Equal(".*down_proj", config.ToJson()["feedforward_modules"]!.GetValue<string>());
        Assert.True(config.Targets("model.layers.0.mlp.down_proj"));
        Assert.True(config.IsFeedforward("model.layers.0.mlp.down_proj"));
        Assert.False(config.IsFeedforward("model.layers.0.self_attn.k_proj"));
        Assert.False(config.Targets("lm_head"));
    }

    [Fact]
    public void A_lora_adapter_folder_is_not_read_as_ia3()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        File.WriteAllText(Path.Combine(dir, "adapter_config.json"), """{"peft_type": "LORA", "r": 8, "target_modules": ["q_proj"]}""");

        var e = Assert.Throws<PeftConfigException>(() => Ia3Files.Load(lm, dir));

        Assert.Contains("peft_type is 'LORA', but this loader reads IA3 adapters", e.Message);
        Assert.Equal("LORA", AdapterFolder.PeftType(dir));
    }
}
