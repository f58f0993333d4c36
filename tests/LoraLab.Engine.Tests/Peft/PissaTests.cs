using System.Text.Json.Nodes;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Tests.Models;
using static LoraLab.Engine.Tests.Peft.AdapterTestKit;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Tests.Peft;

public sealed class PissaTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("loralab-pissa-").FullName;
    static readonly int[] Ids = [3, 17, 42, 5, 60, 0, 9];

    public void Dispose() => Directory.Delete(dir, recursive: true);

    string Folder(string name) => Path.Combine(dir, name);

    static LoraConfig Pissa(string mode = "pissa", bool dora = false) =>
        new() { R = 4, LoraAlpha = 8, InitLoraWeights = mode, UseDora = dora, TargetModules = [LoraConfig.AllLinear] };

    static IEnumerable<LoraAdapter> AdaptersOf(CausalLM lm, string name = "default") =>
        LoraInjection.LoraLayers(lm).Values.Where(l => l.adapters.ContainsKey(name)).Select(l => l.Adapter(name));

    [Theory]
    [InlineData("qwen2-qkv-bias", "pissa", false)]
    [InlineData("llama-gqa-tied", "pissa", true)]
    [InlineData("qwen3-qk-norm-head-dim", "pissa_niter_4", false)]
    public void PiSSA_initialisation_leaves_the_logits_unchanged(string family, string mode, bool dora)
    {
        using var lm = TinyModels.Create(TinyModels.Named(family));
        using var before = Logits(lm, Ids);

        new LoraMethod(Pissa(mode, dora)).Attach(lm);

        using var after = Logits(lm, Ids);
        Assert.True(MaxAbsDifference(before, after) < 1e-5);
        Assert.All(AdaptersOf(lm), a => Assert.True(a.lora_B.abs().max().item<float>() > 0.01, "PiSSA starts from non-zero factors"));
    }

    [Fact]
    public void The_factors_are_the_principal_singular_directions_and_the_base_keeps_the_residual()
    {
        using var original = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var config = Pissa();
        new LoraMethod(config).Attach(lm);

        foreach (var (path, layer) in LoraInjection.LoraLayers(lm))
        {
            var adapter = layer.Adapter("default");
            var w = Float64(((LinearLayer)LoraInjection.LinearLayers(original).Single(l => l.Path == path).Layer).weight);   // (out, in)
            // Right singular vectors of W are the eigenvectors of WᵀW; U_r S_r V_rᵀ = W V_r V_rᵀ.
            var wt = Transpose(w);
            var (values, vectors) = SymmetricEigen.Decompose(MatMul(wt, w));
            var vr = Columns(vectors, config.R);                                    // (in, r)
            var truncated = MatMul(MatMul(w, vr), Transpose(vr));                  // (out, in)
            var delta = Delta(adapter);

            Assert.True(MaxAbsDifference(delta, truncated) < 1e-4 * MaxAbs(w), $"{path}: s·B·A is not the rank-{config.R} truncated SVD");
            Assert.True(MaxAbsDifference(Add(Float64(((LinearLayer)layer.base_layer).weight), delta), w) < 1e-6, $"{path}: residual + s·B·A ≠ W");
            // A = √(S_r/s) V_rᵀ has orthogonal rows of squared norm σᵢ/s, and so has Bᵀ.
            var aat = MatMul(Float64(adapter.lora_A), Transpose(Float64(adapter.lora_A)));
            var btb = MatMul(Transpose(Float64(adapter.lora_B)), Float64(adapter.lora_B));
            for (int i = 0; i < config.R; i++)
                for (int j = 0; j < config.R; j++)
                {
                    double expected = i == j ? Math.Sqrt(values[i]) / adapter.Scaling : 0;
                    Assert.Equal(expected, aat[i, j], tolerance: 1e-4);
                    Assert.Equal(expected, btb[i, j], tolerance: 1e-4);
                }
        }
    }

    [Fact]
    public void The_randomized_variant_captures_most_of_the_leading_singular_energy()
    {
        using var original = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        new LoraMethod(Pissa("pissa_niter_4")).Attach(lm);

        foreach (var (path, layer) in LoraInjection.LoraLayers(lm))
        {
            var w = Float64(((LinearLayer)LoraInjection.LinearLayers(original).Single(l => l.Path == path).Layer).weight);
            var (values, _) = SymmetricEigen.Decompose(MatMul(Transpose(w), w));
            double leading = values.Take(4).Sum();                                 // Σ σᵢ², i < r
            double captured = Square(Delta(layer.Adapter("default")));             // ‖s·B·A‖²_F
            Assert.InRange(captured, 0.9 * leading, leading * (1 + 1e-5));
        }
    }

    [Fact]
    public void A_trained_PiSSA_adapter_converted_to_LoRA_gives_the_same_logits_on_the_original_model()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var config = Pissa() with { TargetModules = ["q_proj", "v_proj", "down_proj"], RankPattern = new Dictionary<string, int> { ["down_proj"] = 2 } };
        var method = new LoraMethod(config);
        method.Attach(lm);
        method.Save(lm, Folder("initial"));
        Randomize(AdaptersOf(lm), seed: 11);   // training moves the factors away from their initial values
        using var expected = Logits(lm, Ids);

        var converted = PissaConversion.SaveAsLora(lm, "default", config, Folder("initial"), Folder("lora"));

        using var fresh = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var loaded = PeftLoraFiles.Load(fresh, Folder("lora"));
        using var actual = Logits(fresh, Ids);
        Assert.True(MaxAbsDifference(expected, actual) < 1e-4);
        Assert.Equal((8, 16.0, "default", 4), (loaded.R, loaded.LoraAlpha, loaded.InitLoraWeights, loaded.RankFor("model.layers.0.mlp.down_proj")));
        Assert.Equal(converted.ScalingFor("model.layers.0.mlp.down_proj"), config.ScalingFor("model.layers.0.mlp.down_proj"));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder("lora"), "adapter_config.json")))!;
        Assert.True(json["init_lora_weights"]!.GetValue<bool>());
    }

    [Fact]
    public void A_saved_PiSSA_adapter_rebuilds_its_residual_when_loaded_on_the_original_model()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        var method = new LoraMethod(Pissa());
        method.Attach(lm);
        Randomize(AdaptersOf(lm), seed: 5);
        method.Save(lm, Folder("pissa"));
        using var expected = Logits(lm, Ids);

        using var fresh = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        PeftLoraFiles.Load(fresh, Folder("pissa"));

        using var actual = Logits(fresh, Ids);
        Assert.True(MaxAbsDifference(expected, actual) < 1e-4);
    }

    [Fact]
    public void No_other_adapter_can_share_a_PiSSA_residual_base()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        new LoraMethod(Pissa() with { TargetModules = ["q_proj"] }).Attach(lm);

        var e = Assert.Throws<InvalidOperationException>(() => LoraInjection.Inject(lm, new LoraConfig { TargetModules = ["q_proj"] }, "other"));

        Assert.Contains("model.layers.0.self_attn.q_proj holds the PiSSA residual of adapter 'default'", e.Message);
    }

    [Fact]
    public void A_rank_above_the_smaller_weight_dimension_is_refused_naming_both()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var e = Assert.Throws<PeftConfigException>(() => new LoraMethod(Pissa() with { R = 9, TargetModules = ["k_proj"] }).Attach(lm));
        Assert.Contains("(8, 32) weight, so r = 9 must be at most 8", e.Message);
    }

    [Theory]
    [InlineData("pissa_niter_0")]
    [InlineData("pissa_fast")]
    public void An_unknown_PiSSA_mode_is_a_config_error(string mode)
    {
        var e = Assert.Throws<PeftConfigException>(() => LoraConfig.FromJson(new JsonObject { ["r"] = 4, ["init_lora_weights"] = mode, ["target_modules"] = new JsonArray("q_proj") }));
        Assert.Contains(mode, e.Message);
    }

    static double[,] Transpose(double[,] x)
    {
        var result = new double[x.GetLength(1), x.GetLength(0)];
        for (int i = 0; i < x.GetLength(0); i++)
            for (int j = 0; j < x.GetLength(1); j++) result[j, i] = x[i, j];
        return result;
    }

    static double[,] Columns(double[,] x, int count)
    {
        var result = new double[x.GetLength(0), count];
        for (int i = 0; i < x.GetLength(0); i++)
            for (int j = 0; j < count; j++) result[i, j] = x[i, j];
        return result;
    }

    static double Square(double[,] x) => x.Cast<double>().Sum(v => v * v);
}
