using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Tests.Models;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Bottleneck;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Tests.Peft;

public class BottleneckMethodTests
{
    static readonly int[] Ids = [3, 17, 42, 5, 60, 0, 9];

    static Tensor Logits(CausalLM lm)
    {
        using var _ = no_grad();
        return lm.Forward(tensor(Ids, ScalarType.Int64).unsqueeze(0));
    }

    static double[] Values(Tensor t) => t.to(ScalarType.Float64).data<double>().ToArray();

    [Theory]
    [InlineData("llama-gqa-tied", "both")]
    [InlineData("qwen2-qkv-bias", "attention")]
    [InlineData("qwen3-qk-norm-head-dim", "mlp")]
    public void A_fresh_adapter_leaves_the_outputs_unchanged(string family, string placement)
    {
        using var lm = TinyModels.Create(TinyModels.Named(family));
        using var before = Logits(lm);
        var method = new BottleneckMethod(new BottleneckConfig { BottleneckSize = 4, Placement = placement }, seed: 3);
        method.Attach(lm);

        using var after = Logits(lm);
        var down = method.TrainableParameters().First(p => p.Name.EndsWith(".adapter_down.weight")).Parameter;
        Assert.True(down.abs().sum().item<float>() > 0, "down is random so that up receives a gradient");
        Assert.True(before.equal(after).all().item<bool>());
    }

    [Theory]
    [InlineData("relu")]
    [InlineData("gelu")]
    [InlineData("silu")]
    public void One_adapted_projection_computes_y_plus_up_of_act_of_down_of_y(string nonLinearity)
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        BottleneckInjection.Inject(lm, new BottleneckConfig { BottleneckSize = 3, NonLinearity = nonLinearity, Placement = "attention" });
        var layer = (BottleneckLinear)lm.model.layers[1].self_attn.o_proj;
        var g = new Generator(9);
        using (no_grad())
            foreach (var p in layer.adapter_down.parameters().Concat(layer.adapter_up.parameters())) p.normal_(0, 0.5, g);
        using var x = randn([2, 32], generator: g);

        using var actual = layer.call(x);

        var w = Values(((LinearLayer)layer.base_layer).weight);
        var (dw, db, uw, ub) = (Values(layer.adapter_down.weight!), Values(layer.adapter_down.bias!), Values(layer.adapter_up.weight!), Values(layer.adapter_up.bias!));
        Func<double, double> act = nonLinearity switch
        {
            "relu" => v => Math.Max(0, v),
            "gelu" => v => 0.5 * v * (1 + Erf(v / Math.Sqrt(2))),
            _ => v => v / (1 + Math.Exp(-v)),
        };
        var xs = Values(x);
        var expected = new double[2 * 32];
        for (int row = 0; row < 2; row++)
        {
            var y = Enumerable.Range(0, 32).Select(o => Enumerable.Range(0, 32).Sum(i => w[o * 32 + i] * xs[row * 32 + i])).ToArray();
            var h = Enumerable.Range(0, 3).Select(k => act(db[k] + Enumerable.Range(0, 32).Sum(o => dw[k * 32 + o] * y[o]))).ToArray();
            for (int o = 0; o < 32; o++) expected[row * 32 + o] = y[o] + ub[o] + Enumerable.Range(0, 3).Sum(k => uw[o * 3 + k] * h[k]);
        }
        Assert.True(expected.Zip(Values(actual)).Max(p => Math.Abs(p.First - p.Second)) < 1e-4);
    }

    /// <summary>Abramowitz and Stegun 7.1.26 (|error| ≤ 1.5e-7), well inside the 1e-4 tolerance.</summary>
    static double Erf(double v)
    {
        double t = 1 / (1 + 0.3275911 * Math.Abs(v));
        double y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.Exp(-v * v);
        return Math.Sign(v) * y;
    }

    [Fact]
    public void Adapters_sit_after_the_chosen_projections_and_their_count_matches_the_hand_computed_one()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        var method = new BottleneckMethod(new BottleneckConfig { BottleneckSize = 4, Placement = "both" });
        method.Attach(lm);

        Assert.IsType<BottleneckLinear>(lm.model.layers[0].self_attn.o_proj);
        Assert.IsType<BottleneckLinear>(lm.model.layers[1].mlp.down_proj);
        Assert.IsType<LinearLayer>(lm.model.layers[0].self_attn.v_proj);
        Assert.Contains(method.TrainableParameters(), p => p.Name == "base_model.model.model.layers.1.mlp.down_proj.adapter_up.bias");
        // One adapter: down 4·32 + 4, up 32·4 + 32 = 292; two per block, two blocks.
        var (trainable, total, percent) = PeftMethod.Count(lm, method);
        Assert.Equal(4 * 292, trainable);
        Assert.Equal(17472 + 4 * 292, total);
        Assert.Equal(100.0 * 1168 / 18640, percent, 12);
    }

    [Fact]
    public void Only_the_adapters_receive_gradients_and_an_optimizer_step_leaves_the_base_bit_identical()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var method = new BottleneckMethod(new BottleneckConfig { BottleneckSize = 4, NonLinearity = "gelu" }, seed: 1);
        method.Attach(lm);
        static bool IsAdapter(string name) => name.Contains(".adapter_");
        var baseBefore = lm.named_parameters().Where(p => !IsAdapter(p.name)).ToDictionary(p => p.name, p => p.parameter.detach().clone());
        var upBefore = method.TrainableParameters().Where(p => p.Name.Contains(".adapter_up.")).Select(p => p.Parameter.detach().clone()).ToList();

        var optimizer = optim.AdamW(method.TrainableParameters().Select(p => p.Parameter), lr: 0.01);
        using (var loss = method.Forward(lm, tensor(Ids, ScalarType.Int64).unsqueeze(0), null).logsumexp(-1).mean())
            loss.backward();
        foreach (var (name, p) in lm.named_parameters())
            Assert.True(IsAdapter(name) == (p.grad is not null), name);
        optimizer.step();

        foreach (var (name, p) in lm.named_parameters().Where(p => !IsAdapter(p.name)))
            Assert.True(p.equal(baseBefore[name]).all().item<bool>(), name);
        var upAfter = method.TrainableParameters().Where(p => p.Name.Contains(".adapter_up.")).Select(p => p.Parameter);
        Assert.All(upAfter.Zip(upBefore), pair => Assert.False(pair.First.equal(pair.Second).all().item<bool>()));
    }

    [Theory]
    [InlineData(0, "silu", "both", "bottleneck_size must be a positive integer, got 0.")]
    [InlineData(8, "tanh", "both", "non_linearity must be one of relu, gelu, silu, got \"tanh\".")]
    [InlineData(8, "relu", "ffn", "placement must be one of attention, mlp, both, got \"ffn\".")]
    public void An_invalid_config_names_the_field_and_value(int size, string nonLinearity, string placement, string message)
    {
        var config = new BottleneckConfig { BottleneckSize = size, NonLinearity = nonLinearity, Placement = placement };

        var e = Assert.Throws<PeftConfigException>(config.Validate);

        Assert.Equal(message, e.Message);
    }
}
