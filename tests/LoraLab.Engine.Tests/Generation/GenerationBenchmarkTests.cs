using System.Text.Json.Nodes;
using LoraLab.Engine.Generation;
using LoraLab.Engine.Tests.Models;

namespace LoraLab.Engine.Tests.Generation;

public class GenerationBenchmarkTests
{
    [Fact]
    public void A_tiny_benchmark_reports_each_context_in_snake_case_json()
    {
        var options = new GenerationBenchmarkOptions
        {
            Model = TinyModels.Named("llama-gqa-tied"), BatchSize = 2, ContextLengths = [8, 40], DecodeTokens = 5,
        };

        var result = GenerationBenchmark.Run(options);
        var json = JsonNode.Parse(result.ToJson())!;

        Assert.Equal(options.Model.ParameterCount(), json["parameters"]!.GetValue<long>());
        var contexts = json["contexts"]!.AsArray();
        Assert.Equal([8, 40], contexts.Select(c => c!["context_tokens"]!.GetValue<int>()));
        foreach (var c in contexts)
        {
            Assert.Equal(5, c!["decode_steps"]!.GetValue<int>());
            double decodeSeconds = c["decode_seconds"]!.GetValue<double>();
            Assert.Equal(2 * 5 / decodeSeconds, c["decode_tokens_per_second"]!.GetValue<double>(), 6);
            Assert.Equal(decodeSeconds * 1000 / 5, c["decode_ms_per_token"]!.GetValue<double>(), 6);
            Assert.True(c["prefill_tokens_per_second"]!.GetValue<double>() > 0);
            Assert.True(c["peak_resident_bytes"]!.GetValue<long>() >= json["resident_after_load_bytes"]!.GetValue<long>() / 2);
        }
    }

    [Fact]
    public void A_context_that_leaves_no_room_to_decode_is_refused()
    {
        var options = new GenerationBenchmarkOptions { Model = TinyModels.Named("llama-gqa-tied"), ContextLengths = [100], DecodeTokens = 32 };

        var e = Assert.Throws<ArgumentException>(() => GenerationBenchmark.Run(options));

        Assert.StartsWith("context_lengths holds 100: it must be positive and leave room for 32 decode tokens within max_position_embeddings 128", e.Message);
    }
}
