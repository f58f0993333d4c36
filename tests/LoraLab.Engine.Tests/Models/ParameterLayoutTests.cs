using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Tests.Models;

public class ParameterLayoutTests
{
    [Theory]
    [MemberData(nameof(TinyModels.Families), MemberType = typeof(TinyModels))]
    public void The_layout_lists_every_parameter_the_built_model_has_with_its_shape(string family)
    {
        var config = TinyModels.Named(family);
        using var lm = TinyModels.Create(config);

        var layout = ParameterLayout.Parameters(config);

        var built = lm.named_parameters().Select(p => (p.name, string.Join("x", p.parameter.shape))).ToList();
        Assert.Equal(built, layout.Select(p => (p.Name, string.Join("x", p.Shape))));
        Assert.Equal(config.ParameterCount(), layout.Sum(p => p.Count));
    }

    [Theory]
    [MemberData(nameof(TinyModels.Families), MemberType = typeof(TinyModels))]
    public void The_linear_layers_are_those_lora_injection_finds_with_their_shapes(string family)
    {
        var config = TinyModels.Named(family);
        using var lm = TinyModels.Create(config);

        var linears = ParameterLayout.Linears(config);

        var found = LoraInjection.LinearLayers(lm).Select(l => (l.Path, ((ILinearWeights)l.Layer).InFeatures, ((ILinearWeights)l.Layer).OutFeatures));
        Assert.Equal(found.OrderBy(l => l.Path), linears.Select(l => (l.Path, l.InFeatures, l.OutFeatures)).OrderBy(l => l.Path));
    }

    [Fact]
    public void A_llama_with_an_untied_head_offers_the_seven_projections_and_lm_head()
    {
        var names = ParameterLayout.LinearNames(TinyModels.Named("llama3-rope-scaling"));

        Assert.Equal(["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", "lm_head"], names);
    }

    [Fact]
    public void A_tied_head_is_not_a_linear_layer_of_its_own()
    {
        var names = ParameterLayout.LinearNames(TinyModels.Named("llama-gqa-tied"));

        Assert.DoesNotContain("lm_head", names);
    }
}
