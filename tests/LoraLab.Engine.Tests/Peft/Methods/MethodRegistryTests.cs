using System.Text.Json.Nodes;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Methods;
using LoraLab.Engine.Playground;
using LoraLab.Engine.Tests.Models;

namespace LoraLab.Engine.Tests.Peft.Methods;

public class MethodRegistryTests
{
    [Fact]
    public void Each_method_is_registered_once_under_its_name_in_the_order_the_studio_lists_them()
    {
        Assert.Equal(["lora", "dora", "qlora", "prompt", "prefix", "ia3", "adapter", "selective", "full"], MethodRegistry.Names);
        Assert.Equal(MethodRegistry.All.Count, MethodRegistry.All.Select(s => s.GetType()).Distinct().Count());
        Assert.Equal(MethodRegistry.Names, MethodOptions.Methods);
    }

    [Theory]
    [InlineData("""{"peft_type": "LORA", "r": 8}""", "lora", AdapterPlacement.Routed)]
    [InlineData("""{"r": 8}""", "lora", AdapterPlacement.Routed)]
    [InlineData("""{"peft_type": "LORA", "init_lora_weights": "pissa_niter_4"}""", "lora", AdapterPlacement.OwnCopy)]
    [InlineData("""{"peft_type": "LORA", "init_lora_weights": true}""", "lora", AdapterPlacement.Routed)]
    [InlineData("""{"peft_type": "LORA", "use_dora": true}""", "dora", AdapterPlacement.Routed)]
    [InlineData("""{"peft_type": "PROMPT_TUNING"}""", "prompt", AdapterPlacement.SoftPrompt)]
    [InlineData("""{"peft_type": "PREFIX_TUNING"}""", "prefix", AdapterPlacement.SoftPrompt)]
    [InlineData("""{"peft_type": "IA3"}""", "ia3", AdapterPlacement.OwnCopy)]
    [InlineData("""{"peft_type": "LORALAB_BOTTLENECK"}""", "adapter", AdapterPlacement.OwnCopy)]
    [InlineData("""{"peft_type": "LORALAB_SELECTIVE", "norms": true}""", "selective", AdapterPlacement.OwnCopy)]
    [InlineData("""{"peft_type": "LORALAB_SELECTIVE", "full": true}""", "full", AdapterPlacement.OwnCopy)]
    public void An_adapter_config_names_exactly_one_method_and_where_it_runs(string config, string method, AdapterPlacement placement)
    {
        var json = JsonNode.Parse(config)!.AsObject();

        Assert.Equal(method, Assert.Single(MethodRegistry.All, s => s.Describes(json)).Name);
        Assert.Equal(placement, AdapterPlacements.Of(json));
    }

    [Theory]
    [InlineData("""{"peft_type": "LOHA"}""")]
    [InlineData("""{"peft_type": 7}""")]
    public void An_adapter_of_no_known_method_names_none_and_shares_nothing(string config)
    {
        var json = JsonNode.Parse(config)!.AsObject();

        Assert.Null(MethodRegistry.OfAdapter(json));
        Assert.Equal(AdapterPlacement.OwnCopy, AdapterPlacements.Of(json));
    }

    [Fact]
    public void Every_wrong_lora_setting_is_reported_at_once_by_its_field()
    {
        var options = new MethodOptions { Method = "lora", R = 0, LoraAlpha = 0, LoraDropout = 1, InitLoraWeights = "svd" };

        var errors = MethodRegistry.Validate(options, TinyModels.Named("llama-gqa-tied"));

        Assert.Equal(["r", "lora_alpha", "lora_dropout", "init_lora_weights"], errors.Select(e => e.Field));
        Assert.Contains("got 0", errors[0].Message);
    }

    [Fact]
    public void An_empty_selection_is_an_error_of_the_settings_as_a_whole()
    {
        var errors = MethodRegistry.Validate(new MethodOptions { Method = "selective" }, null);

        Assert.Equal(MethodFieldError.Whole, Assert.Single(errors).Field);
        Assert.StartsWith("The selection is empty", errors[0].Message);
    }

    [Fact]
    public void Only_the_lora_family_merges_and_only_lora_and_qlora_combine()
    {
        Assert.Equal(["lora", "dora", "qlora"], MethodRegistry.All.Where(s => s.Merges).Select(s => s.Name));
        Assert.Equal(["lora", "qlora"], MethodRegistry.All.Where(s => s.Combines).Select(s => s.Name));
        Assert.Equal(["selective", "full"], MethodRegistry.All.Where(s => s.TrainsBaseWeights).Select(s => s.Name));
    }
}
