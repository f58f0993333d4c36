using System.Text.Json.Nodes;
using LoraLab.Engine.Generation;
using LoraLab.Web.Playground;

namespace LoraLab.Web.Tests.Playground;

/// <summary>generation_config.json as Llama-3.2-1B-Instruct ships it gives the playground's starting sampling.</summary>
public sealed class ModelSamplingDefaultsTests
{
    static readonly GenerationDefaults Llama32 = GenerationDefaults.Parse(JsonNode.Parse("""
        {"bos_token_id": 128000, "do_sample": true, "eos_token_id": [128001, 128008, 128009], "temperature": 0.6, "top_p": 0.9, "transformers_version": "4.45.0.dev0"}
        """)!.AsObject());

    [Fact]
    public void A_column_on_a_model_with_a_generation_config_starts_from_its_values()
    {
        var s = SamplingSettings.ForModel(Llama32);

        Assert.Equal((0.6, 0.9, GenerationDefaults.TransformersTopK), (s.Temperature, s.TopP, s.TopK));
    }

    [Fact]
    public void A_model_without_one_keeps_the_playgrounds_greedy_default() =>
        Assert.Equal(new SamplingSettings(), SamplingSettings.ForModel(GenerationDefaults.None));
}
