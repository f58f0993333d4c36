using System.Text.Json.Nodes;
using LoraLab.Web.Components.Pages.Runs;

namespace LoraLab.Web.Tests.Components.Pages;

public sealed class ConfigurationDiffTests
{
    [Fact]
    public void Nested_objects_become_dotted_keys_with_values_as_written()
    {
        var flat = ConfigurationDiff.Flatten(JsonNode.Parse("""{"method": {"r": 8, "target_modules": ["q_proj"], "init": "pissa", "text": null}, "seed": 1}""")!.AsObject());

        Assert.Equal(new Dictionary<string, string?>
        {
            ["method.r"] = "8", ["method.target_modules"] = """["q_proj"]""", ["method.init"] = "pissa", ["method.text"] = "null", ["seed"] = "1",
        }, flat);
    }

    [Fact]
    public void A_key_only_one_run_sets_differs()
    {
        var rows = ConfigurationDiff.Differences([JsonNode.Parse("""{"a": 1, "b": 2}""")!.AsObject(), JsonNode.Parse("""{"a": 1}""")!.AsObject()]);

        var row = Assert.Single(rows);
        Assert.Equal("b", row.Key);
        Assert.Equal(["2", null], row.Values);
    }
}
