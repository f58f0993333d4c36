using LoraLab.Engine.Checkpoints;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Models;
using static TorchSharp.torch;

namespace LoraLab.Engine.Tests.Models;

public sealed class PretrainedModelTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("loralab-model-").FullName;
    static readonly Tensor Ids = tensor(new long[] { 1, 5, 9, 13, 2 }).unsqueeze(0);

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Theory]
    [InlineData("qwen3-qk-norm-head-dim", 1L << 30)]
    [InlineData("llama-gqa-tied", 20_000)]
    public void A_saved_model_loads_back_with_identical_logits(string family, long maxShardBytes)
    {
        using var lm = TinyModels.Create(TinyModels.Named(family));
        PretrainedModel.Save(lm, dir, maxShardBytes);
        Assert.Equal(maxShardBytes < 1_000_000, File.Exists(Path.Combine(dir, "model.safetensors.index.json")));

        using var loaded = PretrainedModel.Load(dir, ComputeDevice.Cpu);

        using var expected = lm.Forward(Ids);
        using var actual = loaded.Forward(Ids);
        Assert.True(expected.equal(actual).all().item<bool>());
    }

    [Fact]
    public void Bfloat16_weights_are_converted_to_the_compute_dtype()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"), dtype: ScalarType.BFloat16);
        PretrainedModel.Save(lm, dir);
        using var loaded = PretrainedModel.Load(dir, ComputeDevice.Cpu);
        Assert.Equal(ScalarType.Float32, loaded.model.embed_tokens.weight.dtype);
        Assert.True(loaded.model.embed_tokens.weight.equal(lm.model.embed_tokens.weight.to(ScalarType.Float32)).all().item<bool>());
    }

    [Fact]
    public void Every_missing_unexpected_and_misshaped_key_is_reported_together()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var weights = lm.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);
        weights.Remove("model.layers.1.mlp.up_proj.weight");
        weights["model.layers.0.self_attn.q_proj.bias"] = zeros(7);
        weights["model.extra.weight"] = zeros(2);
        PretrainedModel.Save(lm, dir);
        SafetensorsWriter.Write(Path.Combine(dir, "model.safetensors"), weights);

        var e = Assert.Throws<WeightLoadException>(() => PretrainedModel.Load(dir, ComputeDevice.Cpu));

        Assert.Equal(["model.layers.1.mlp.up_proj.weight"], e.Missing);
        Assert.Equal(["model.extra.weight"], e.Unexpected);
        Assert.Equal(["model.layers.0.self_attn.q_proj.bias: checkpoint [7], model [32]"], e.MisShaped);
        Assert.Contains("1 missing", e.Message);
        Assert.Contains("1 unexpected", e.Message);
        Assert.Contains("1 with the wrong shape", e.Message);
    }
}
