using System.Text.Json.Nodes;
using LoraLab.Engine.Models;

namespace LoraLab.Engine.Tests.Models;

public sealed class RopeScalingTests
{
    static ModelConfig WithScaling(JsonObject? scaling, int maxPositions = 32768, string key = "rope_scaling") =>
        TinyModels.Config("Qwen2ForCausalLM", j =>
        {
            j["max_position_embeddings"] = maxPositions;
            j["rope_theta"] = 1000000.0;
            if (scaling is not null) j[key] = scaling;
        });

    static double[] Unscaled(int d, double theta) =>
        Enumerable.Range(0, d / 2).Select(i => 1.0 / Math.Pow(theta, 2.0 * i / d)).ToArray();

    [Fact]
    public void Linear_scaling_divides_every_inverse_frequency_by_the_factor_so_position_p_times_factor_turns_as_p_did()
    {
        var config = WithScaling(new JsonObject { ["type"] = "linear", ["factor"] = 4.0 });

        var inv = RotaryEmbedding.InverseFrequencies(config.HeadDim, config.RopeTheta, config.RopeScaling);

        var expected = Unscaled(config.HeadDim, config.RopeTheta);
        for (int i = 0; i < inv.Length; i++) Assert.Equal(expected[i] * 10, inv[i] * 40, 5);
    }

    [Fact]
    public void Dynamic_scaling_keeps_the_frequencies_within_the_original_context_and_raises_the_base_past_it()
    {
        var config = WithScaling(new JsonObject { ["rope_type"] = "dynamic", ["factor"] = 2.0 }, maxPositions: 100);
        int d = config.HeadDim;

        var within = RotaryEmbedding.InverseFrequencies(d, config.RopeTheta, config.RopeScaling, sequenceLength: 100);
        var past = RotaryEmbedding.InverseFrequencies(d, config.RopeTheta, config.RopeScaling, sequenceLength: 300);

        // base' = θ·(2·300/100 − 1)^(d/(d−2)) = θ·5^(8/6) for d = 8.
        var expected = Unscaled(d, 1000000.0 * Math.Pow(5, d / (d - 2.0)));
        for (int i = 0; i < d / 2; i++)
        {
            Assert.Equal(Unscaled(d, 1000000.0)[i], within[i], 1e-6);
            Assert.Equal(expected[i], past[i], 1e-6);
        }
        Assert.True(RotaryEmbedding.NeedsRecompute(config.RopeScaling, 101));
        Assert.False(RotaryEmbedding.NeedsRecompute(config.RopeScaling, 100));
    }

    [Fact]
    public void Yarn_with_qwens_published_long_context_settings_matches_a_hand_computation()
    {
        // Qwen2.5's model cards add {"factor": 4.0, "original_max_position_embeddings": 32768, "type": "yarn"} for 128K.
        var config = WithScaling(new JsonObject { ["type"] = "yarn", ["factor"] = 4.0, ["original_max_position_embeddings"] = 32768 });
        const int d = 64;
        const double theta = 1000000.0;

        var inv = RotaryEmbedding.InverseFrequencies(d, theta, config.RopeScaling);

        // Correction dims d·ln(32768 / (2π·β)) / (2·ln θ): β=32 → 11.8…, floored to 11; β=1 → 19.8…, ceiled to 20.
        double Dim(double beta) => d * Math.Log(32768 / (beta * 2 * Math.PI)) / (2 * Math.Log(theta));
        Assert.Equal(11, Math.Floor(Dim(32)));
        Assert.Equal(20, Math.Ceiling(Dim(1)));
        var f = Unscaled(d, theta);
        for (int i = 0; i < d / 2; i++)
        {
            double ramp = Math.Clamp((i - 11.0) / (20 - 11), 0, 1);   // 0 keeps the frequency, 1 divides it by the factor
            Assert.Equal(f[i] * (1 - ramp) + f[i] / 4 * ramp, inv[i], 1e-6);
        }
        Assert.Equal(0.1 * Math.Log(4) + 1, RotaryEmbedding.AttentionScaling(config.RopeScaling), 12);
    }

    [Fact]
    public void Yarn_with_both_mscales_uses_their_ratio_as_the_attention_factor()
    {
        var config = WithScaling(new JsonObject { ["rope_type"] = "yarn", ["factor"] = 40.0, ["mscale"] = 1.0, ["mscale_all_dim"] = 0.707 });

        double expected = (0.1 * Math.Log(40) + 1) / (0.1 * 0.707 * Math.Log(40) + 1);
        Assert.Equal(expected, RotaryEmbedding.AttentionScaling(config.RopeScaling), 12);
    }

    [Fact]
    public void Rope_parameters_of_newer_transformers_give_the_theta_and_the_scaling()
    {
        var config = TinyModels.Config("LlamaForCausalLM", j => j["rope_parameters"] = new JsonObject
        {
            ["rope_theta"] = 500000.0, ["rope_type"] = "linear", ["factor"] = 2.0,
        });

        Assert.Equal(500000.0, config.RopeTheta);
        Assert.Equal(new LinearRopeScaling(2.0), config.RopeScaling);
    }

    [Theory]
    [InlineData("longrope")]
    [InlineData("su")]
    public void An_unsupported_rope_type_is_refused_by_name_with_the_supported_ones(string type)
    {
        var e = Assert.Throws<ModelConfigException>(() => WithScaling(new JsonObject { ["type"] = type, ["factor"] = 2.0 }));

        Assert.Contains($"rope_type '{type}' is not supported; supported: default, linear, dynamic, yarn, llama3", e.Message);
    }

    [Fact]
    public void Every_scaling_kind_survives_a_round_trip_through_config_json()
    {
        foreach (var scaling in new JsonObject[]
        {
            new() { ["rope_type"] = "linear", ["factor"] = 2.0 },
            new() { ["rope_type"] = "dynamic", ["factor"] = 2.0, ["original_max_position_embeddings"] = 4096 },
            new() { ["rope_type"] = "yarn", ["factor"] = 4.0, ["original_max_position_embeddings"] = 32768, ["mscale"] = 0.5 },
        })
        {
            var config = WithScaling(scaling);

            Assert.Equal(config.RopeScaling, ModelConfig.Parse(config.ToJson()).RopeScaling);
        }
    }

    [Fact]
    public void A_yarn_model_forward_scales_cos_and_sin_so_logits_differ_from_the_unscaled_model()
    {
        var plain = WithScaling(null);
        var yarn = WithScaling(new JsonObject { ["type"] = "yarn", ["factor"] = 4.0 });
        using var a = TinyModels.Create(plain, seed: 5);
        using var b = TinyModels.Create(yarn, seed: 5);
        using var scope = TorchSharp.torch.NewDisposeScope();
        var ids = TorchSharp.torch.tensor(new long[] { 1, 2, 3, 4 }).reshape(1, 4);   // (B, T)

        var la = a.Forward(ids);   // (B, T, V)
        var lb = b.Forward(ids);   // (B, T, V)

        Assert.True(lb.isfinite().all().item<bool>());
        Assert.False(la.allclose(lb, 1e-4, 1e-4));
    }
}
