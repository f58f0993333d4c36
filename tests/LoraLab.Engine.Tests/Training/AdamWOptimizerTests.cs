using LoraLab.Engine.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LoraLab.Engine.Tests.Training;

public class AdamWOptimizerTests
{
    const double Lr = 0.01, Beta1 = 0.9, Beta2 = 0.999, Eps = 1e-8, Decay = 0.1;

    [Fact]
    public void The_first_step_moves_each_weight_by_the_learning_rate_against_its_gradient_after_decay()
    {
        var p = new Parameter(tensor(new float[] { 0.5f, -1.0f }, [1, 2]));
        using var adam = new AdamWOptimizer([("w.lora_A.weight", p)], Beta1, Beta2, Eps, Decay);

        p.grad = tensor(new float[] { 0.1f, -0.2f }, [1, 2]);
        adam.Step(Lr);

        // m̂ = g and v̂ = g², so the step is lr · g / (|g| + ε) ≈ lr · sign(g), after p · (1 − lr · λ).
        var w = p.data<float>().ToArray();
        Assert.Equal(0.5 * (1 - Lr * Decay) - Lr * 0.1 / (0.1 + Eps), w[0], 6);
        Assert.Equal(-1.0 * (1 - Lr * Decay) + Lr * 0.2 / (0.2 + Eps), w[1], 6);
        Assert.Equal(1, adam.StepCount);
    }

    [Fact]
    public void Three_steps_match_the_algorithm_recomputed_in_float64()
    {
        double[] start = [0.5, -1.0, 0.25, 2.0];
        double[][] grads = [[0.1, -0.2, 0.0, 1.5], [0.3, 0.1, -0.05, 1.0], [-0.2, 0.4, 0.02, -0.5]];
        var p = new Parameter(tensor(start.Select(v => (float)v).ToArray(), [2, 2]));
        using var adam = new AdamWOptimizer([("layer.weight", p)], Beta1, Beta2, Eps, Decay);

        foreach (var g in grads)
        {
            p.grad = tensor(g.Select(v => (float)v).ToArray(), [2, 2]);
            adam.Step(Lr);
        }

        var expected = ReferenceAdamW(start, grads);
        var actual = p.data<float>().ToArray();
        for (int i = 0; i < start.Length; i++) Assert.Equal(expected[i], actual[i], 6);
    }

    [Theory]
    [InlineData("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", new long[] { 4, 32 }, true)]
    [InlineData("base_model.model.model.layers.0.self_attn.q_proj.lora_magnitude_vector", new long[] { 32 }, false)]
    [InlineData("model.layers.0.input_layernorm.weight", new long[] { 32 }, false)]
    [InlineData("model.layers.0.self_attn.q_norm.weight", new long[] { 8, 8 }, false)]
    [InlineData("model.layers.0.self_attn.q_proj.bias", new long[] { 32 }, false)]
    public void Weight_decay_applies_to_matrices_only(string name, long[] shape, bool decays)
    {
        Assert.Equal(decays, AdamWOptimizer.Decays(name, zeros(shape)));
    }

    [Fact]
    public void A_vector_is_not_decayed()
    {
        var p = new Parameter(tensor(new float[] { 1f, 2f }));
        using var adam = new AdamWOptimizer([("lora_magnitude_vector", p)], Beta1, Beta2, Eps, weightDecay: 0.5);

        p.grad = zeros(2);
        adam.Step(Lr);

        Assert.Equal([1f, 2f], p.data<float>().ToArray());
    }

    [Fact]
    public void Restored_state_continues_exactly_as_the_original()
    {
        var a = new Parameter(tensor(new float[] { 0.5f, -1f, 0.3f, 0.7f }, [2, 2]));
        using var original = new AdamWOptimizer([("w", a)], Beta1, Beta2, Eps, Decay);
        a.grad = tensor(new float[] { 0.1f, -0.2f, 0.3f, 0.05f }, [2, 2]);
        original.Step(Lr);
        var b = new Parameter(a.detach().clone());
        using var restored = new AdamWOptimizer([("w", b)], Beta1, Beta2, Eps, Decay);
        var saved = original.StateTensors().ToDictionary(kv => kv.Key, kv => kv.Value.clone());

        restored.LoadState(original.StepCount, name => saved.GetValueOrDefault(name), "test");
        var g = tensor(new float[] { -0.3f, 0.2f, 0.1f, 0.4f }, [2, 2]);
        a.grad = g.clone();
        b.grad = g.clone();
        original.Step(Lr);
        restored.Step(Lr);

        Assert.Equal(a.data<float>().ToArray(), b.data<float>().ToArray());
        Assert.Equal(2, restored.StepCount);
    }

    [Fact]
    public void Restoring_state_of_another_shape_names_the_tensor()
    {
        using var adam = new AdamWOptimizer([("w", new Parameter(zeros(2, 2)))], Beta1, Beta2, Eps, Decay);

        var e = Assert.Throws<TrainingCheckpointException>(() => adam.LoadState(1, name => name.StartsWith("exp_avg_sq") ? null : zeros(3), "optimizer.safetensors"));

        Assert.Equal("optimizer.safetensors does not match the trainable parameters: exp_avg.w has shape [3], expected [2, 2]; exp_avg_sq.w is missing.", e.Message);
    }

    /// <summary>Loshchilov &amp; Hutter's Algorithm 2 with PyTorch's placement of ε, in float64.</summary>
    static double[] ReferenceAdamW(double[] start, double[][] grads)
    {
        var p = (double[])start.Clone();
        var m = new double[p.Length];
        var v = new double[p.Length];
        for (int t = 1; t <= grads.Length; t++)
            for (int i = 0; i < p.Length; i++)
            {
                double g = grads[t - 1][i];
                p[i] *= 1 - Lr * Decay;
                m[i] = Beta1 * m[i] + (1 - Beta1) * g;
                v[i] = Beta2 * v[i] + (1 - Beta2) * g * g;
                double mHat = m[i] / (1 - Math.Pow(Beta1, t));
                double vHat = v[i] / (1 - Math.Pow(Beta2, t));
                p[i] -= Lr * mHat / (Math.Sqrt(vHat) + Eps);
            }
        return p;
    }
}
