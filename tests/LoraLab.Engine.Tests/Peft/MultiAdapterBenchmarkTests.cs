using LoraLab.Engine.Peft;
using LoraLab.Engine.Tests.Models;

namespace LoraLab.Engine.Tests.Peft;

public class MultiAdapterBenchmarkTests
{
    [Fact]
    public void The_benchmark_times_both_ways_over_the_same_tokens()
    {
        var result = MultiAdapterBenchmark.Run(TinyModels.Named("llama-gqa-tied"), adapters: 3, rank: 2, sequenceLength: 8, repeats: 1);

        Assert.Equal(3, result.Adapters);
        Assert.Equal(3 * 8 / result.MixedSeconds, result.MixedTokensPerSecond, 6);
        Assert.Equal(result.SeparateSeconds / result.MixedSeconds, result.Speedup, 6);
        Assert.Contains("\"speedup\":", result.ToJson());
    }

    [Fact]
    public void Zero_adapters_is_refused() =>
        Assert.Contains("adapters must be at least 1", Assert.Throws<ArgumentException>(() => MultiAdapterBenchmark.Run(TinyModels.Named("llama-gqa-tied"), 0)).Message);
}
