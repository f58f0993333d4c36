using System.Text.Json.Nodes;
using LoraLab.Engine.Checkpoints;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Tests.Models;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Engine.Peft.Selective;

namespace LoraLab.Engine.Tests.Peft;

public sealed class SelectiveFineTuningFilesTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("loralab-selective-").FullName;
    static readonly int[] Ids = [4, 8, 15, 16, 23, 42];

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static Tensor Logits(CausalLM lm)
    {
        using var _ = no_grad();
        return lm.Forward(tensor(Ids, ScalarType.Int64).unsqueeze(0));
    }

    static SelectiveFineTuning Trained(CausalLM lm, SelectiveFineTuningSpec spec)
    {
        var method = new SelectiveFineTuning(spec);
        method.Attach(lm);
        using (no_grad()) foreach (var (_, p) in method.TrainableParameters()) p.add_(randn_like(p) * 0.1);
        return method;
    }

    [Fact]
    public void A_selective_fine_tune_saves_only_its_tensors_under_hugging_face_names_and_loads_back_exactly()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var spec = new SelectiveFineTuningSpec { LastBlocks = 1, Biases = true, Patterns = [@"^lm_head\."] };
        Trained(lm, spec).Save(lm, dir);

        using var fresh = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        using (var untouched = Logits(fresh))
        using (var trained = Logits(lm))
            Assert.False(untouched.equal(trained).all().item<bool>());
        var loaded = SelectiveFineTuningFiles.Load(fresh, dir);

        using var file = SafetensorsFile.Open(Path.Combine(dir, "adapter_model.safetensors"));
        // Block 1 (12 tensors, its q/k/v biases included), block 0's three biases, lm_head.
        Assert.Equal(12 + 3 + 1, file.Tensors.Count);
        Assert.Contains("model.layers.0.self_attn.k_proj.bias", file.Tensors.Keys);
        Assert.Contains("lm_head.weight", file.Tensors.Keys);
        Assert.Equal(spec.Patterns, loaded.Patterns);
        Assert.Equal(spec with { Patterns = loaded.Patterns }, loaded);
        using var expected = Logits(lm);
        using var actual = Logits(fresh);
        Assert.True(expected.equal(actual).all().item<bool>());
    }

    [Fact]
    public void The_config_records_the_spec_under_its_own_peft_type()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        Trained(lm, new SelectiveFineTuningSpec { Norms = true, LastBlocks = 2 }).Save(lm, dir);

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "adapter_config.json")))!;
        Assert.Equal("LORALAB_SELECTIVE", json["peft_type"]!.GetValue<string>());
        Assert.Equal(2, json["last_blocks"]!.GetValue<int>());
        Assert.True(json["norms"]!.GetValue<bool>());
        Assert.False(json["biases"]!.GetValue<bool>());
        Assert.Equal("LORALAB_SELECTIVE", AdapterFolder.PeftType(dir));
    }

    [Fact]
    public void A_full_fine_tune_is_saved_as_a_hugging_face_model_folder()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama3-rope-scaling"));
        Trained(lm, SelectiveFineTuningSpec.Everything).Save(lm, dir);

        using var reloaded = PretrainedModel.Load(dir, ComputeDevice.Cpu);

        Assert.True(File.Exists(Path.Combine(dir, "config.json")));
        Assert.False(File.Exists(Path.Combine(dir, "adapter_config.json")));
        using var expected = Logits(lm);
        using var actual = Logits(reloaded);
        Assert.True(expected.equal(actual).all().item<bool>());
    }

    [Fact]
    public void Tensors_of_the_wrong_shape_are_named_before_anything_is_copied()
    {
        using (var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied")))
            Trained(lm, new SelectiveFineTuningSpec { LastBlocks = 1 }).Save(lm, dir);
        using var wider = TinyModels.Create(TinyModels.Config("LlamaForCausalLM", j => { j["intermediate_size"] = 64; j["tie_word_embeddings"] = true; }));
        using var before = Logits(wider);

        var e = Assert.Throws<AdapterMismatchException>(() => SelectiveFineTuningFiles.Load(wider, dir));

        Assert.Contains("model.layers.1.mlp.gate_proj.weight has shape [48, 32] but this base model needs [64, 32] (and 2 more problems)", e.Message);
        using var after = Logits(wider);
        Assert.True(before.equal(after).all().item<bool>());
    }
}
