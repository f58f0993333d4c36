using LoraLab.Bench.LlamaCpp;

namespace LoraLab.Engine.Tests.Export;

/// <summary>The llama.cpp side-by-side benchmark runs end to end on a tiny shape (its figures are for the README, not asserted).</summary>
public sealed class SideBySideBenchmarkTests
{
    [Fact]
    public void The_side_by_side_benchmark_reports_every_runtime_and_precision_on_a_tiny_shape()
    {
        var result = SideBySideBenchmark.Run(new SideBySideOptions(BenchShapes.Named("tiny"), "tiny", BenchShapes.DemoTokenizerFolder(),
            Threads: 1, Context: 16, Tokens: 4, Adapters: 2, Rank: 2));

        Assert.Equal(["engine_float32", "llamacpp_f16", "llamacpp_f32"], result.SingleStreamDecodeTokensPerSecond.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["engine_float32_one_batch", "llamacpp_f32_context_per_adapter"], result.AdaptersOutputTokensPerSecond.Keys.Order(StringComparer.Ordinal));
        Assert.All(result.SingleStreamDecodeTokensPerSecond.Values.Concat(result.AdaptersOutputTokensPerSecond.Values), v => Assert.True(double.IsFinite(v) && v > 0));
    }
}
