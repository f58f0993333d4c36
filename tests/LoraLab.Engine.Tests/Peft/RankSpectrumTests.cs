using LoraLab.Engine.Peft;
using LoraLab.Engine.Tests.Models;
using static LoraLab.Engine.Tests.Peft.AdapterTestKit;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Tests.Peft;

public sealed class RankSpectrumTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("loralab-spectrum-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>The singular values of an explicit matrix: square roots of the eigenvalues of MᵀM, by Jacobi in float64.</summary>
    static double[] ReferenceSingularValues(double[,] m, int count)
    {
        var gram = MatMul(Transpose(m), m);
        return SymmetricEigen.Decompose(gram).Values.Take(count).Select(v => Math.Sqrt(Math.Max(v, 0))).ToArray();
    }

    static double[,] Transpose(double[,] m)
    {
        var t = new double[m.GetLength(1), m.GetLength(0)];
        for (int i = 0; i < m.GetLength(0); i++)
            for (int j = 0; j < m.GetLength(1); j++) t[j, i] = m[i, j];
        return t;
    }

    static Tensor Matrix(double[,] values) => tensor(values.Cast<double>().ToArray(), [values.GetLength(0), values.GetLength(1)], ScalarType.Float32);

    [Fact]
    public void Rotated_factors_with_singular_values_3_2_1_scaled_by_2_give_6_4_2_and_effective_ranks_2_and_3()
    {
        // B = R·[3e₀ 2e₂ 1e₄] with R a rotation in the (0, 4) plane, A = rows e₂, e₀, e₃: orthonormal columns of B up
        // to the diagonal, orthonormal rows of A, so s·BA has singular values 2·(3, 2, 1).
        double c = Math.Cos(0.7), s = Math.Sin(0.7);
        var b = new double[5, 3];
        (b[0, 0], b[4, 0]) = (3 * c, 3 * s);
        b[2, 1] = 2;
        (b[0, 2], b[4, 2]) = (-1 * s, 1 * c);
        var a = new double[3, 4];
        (a[0, 2], a[1, 0], a[2, 3]) = (1, 1, 1);

        var values = RankSpectrum.SingularValues(Matrix(a), Matrix(b), scaling: 2);

        Assert.Equal([6.0, 4.0, 2.0], values.Select(v => Math.Round(v, 5)));
        // Energy 36/56 = 0.64, 52/56 = 0.93, 1.
        Assert.Equal((2, 3), (RankSpectrum.EffectiveRank(values, 0.90), RankSpectrum.EffectiveRank(values, 0.99)));
    }

    [Theory]
    [InlineData(24, 16, 4)]
    [InlineData(3, 20, 6)]   // fewer outputs than the rank: only 3 singular values exist
    public void Singular_values_from_the_small_core_equal_those_of_the_explicit_update(int outFeatures, int inFeatures, int rank)
    {
        var g = new Generator(3);
        var a = randn([rank, inFeatures], generator: g);
        var b = randn([outFeatures, rank], generator: g);
        var delta = Scale(MatMul(Float64(b), Float64(a)), 0.75);
        int count = Math.Min(Math.Min(outFeatures, inFeatures), rank);

        var values = RankSpectrum.SingularValues(a, b, scaling: 0.75);

        var expected = ReferenceSingularValues(delta, count);
        Assert.Equal(count, values.Length);
        for (int i = 0; i < count; i++) Assert.True(Math.Abs(values[i] - expected[i]) < 1e-6 * expected[0], $"σ{i + 1}: {values[i]} vs {expected[i]}");
    }

    [Fact]
    public void Effective_rank_is_the_fewest_values_reaching_the_energy_and_zero_for_a_zero_update()
    {
        Assert.Equal(1, RankSpectrum.EffectiveRank([3.0, 1.0], 0.90));       // 9/10 reaches 90 % exactly
        Assert.Equal(2, RankSpectrum.EffectiveRank([3.0, 1.0], 0.91));
        Assert.Equal(0, RankSpectrum.EffectiveRank([0.0, 0.0, 0.0], 0.90));
        Assert.Equal([0.9, 1.0], RankSpectrum.CumulativeEnergy([3.0, 1.0]).Select(e => Math.Round(e, 12)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reading_a_saved_adapter_gives_every_module_its_spectrum_with_its_own_rank_and_scaling(bool dora)
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var config = new LoraConfig
        {
            R = 4, LoraAlpha = 8, UseRslora = true, UseDora = dora, TargetModules = ["q_proj", "v_proj", "down_proj"],
            RankPattern = new Dictionary<string, int> { ["down_proj"] = 2 }, AlphaPattern = new Dictionary<string, double> { ["v_proj"] = 3 },
        };
        var adapters = LoraInjection.Inject(lm, config, "default");
        Randomize(adapters.Values, seed: 9);
        PeftLoraFiles.Save(lm, "default", config, dir);

        var spectrum = RankSpectrum.Read(dir);

        Assert.Equal((4, dora), (spectrum.R, spectrum.UseDora));
        Assert.Equal(
            ["model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj", "model.layers.0.mlp.down_proj",
             "model.layers.1.self_attn.q_proj", "model.layers.1.self_attn.v_proj", "model.layers.1.mlp.down_proj"],
            spectrum.Modules.Select(m => m.Module));
        var down = spectrum.Modules.Single(m => m.Module == "model.layers.1.mlp.down_proj");
        Assert.Equal((1, "down_proj", 2, 8 / Math.Sqrt(2)), (down.Layer, down.Name, down.Rank, down.Scaling));
        foreach (var module in spectrum.Modules)
        {
            var adapter = adapters[module.Module];
            Assert.Equal(adapter.Scaling, module.Scaling, 12);
            var expected = ReferenceSingularValues(Delta(adapter), adapter.Rank);
            Assert.All(module.SingularValues.Zip(expected), p => Assert.True(Math.Abs(p.First - p.Second) < 1e-6 * expected[0], module.Module));
            Assert.Equal(module.SingularValues.Count, module.CumulativeEnergy.Count);
        }
    }

    [Fact]
    public void A_fresh_adapter_has_zero_singular_values_and_effective_rank_zero()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        var config = new LoraConfig { R = 3, TargetModules = ["q_proj"] };
        LoraInjection.Inject(lm, config, "default");
        PeftLoraFiles.Save(lm, "default", config, dir);

        var spectrum = RankSpectrum.Read(dir);

        Assert.All(spectrum.Modules, m => Assert.Equal((0, 0, 0.0), (m.EffectiveRank90, m.EffectiveRank99, m.SingularValues.Max())));
    }

    [Fact]
    public void Reading_an_adapter_that_is_not_lora_says_its_peft_type()
    {
        File.WriteAllText(Path.Combine(dir, AdapterFolder.ConfigFile), """{"peft_type": "IA3", "target_modules": ["k_proj"]}""");

        var error = Assert.Throws<PeftConfigException>(() => RankSpectrum.Read(dir));

        Assert.Contains("peft_type 'IA3' is not a LoRA adapter", error.Message);
    }
}
