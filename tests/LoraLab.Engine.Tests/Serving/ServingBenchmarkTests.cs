using LoraLab.Engine.Serving;
using LoraLab.Engine.Tests.Models;

namespace LoraLab.Engine.Tests.Serving;

public class ServingBenchmarkTests
{
    [Fact]
    public void Every_request_generates_its_whole_budget_and_the_clients_are_decoded_together()
    {
        var result = ServingBenchmark.Run(TinyModels.Named("llama-gqa-tied"), adapters: 3, clients: 3, requestsPerClient: 2, promptTokens: 5, maxTokens: 6, rank: 2);

        Assert.Equal(6, result.Concurrent.Requests);
        Assert.Equal(6 * 6, result.Concurrent.OutputTokens);
        Assert.Equal(6 * 6, result.OneAtATime.OutputTokens);
        Assert.Equal(3, result.Concurrent.PeakRows);
        Assert.Equal(1, result.OneAtATime.PeakRows);
        Assert.True(result.Concurrent.InterTokenLatencyP95Ms >= result.Concurrent.InterTokenLatencyP50Ms);
        Assert.Equal(result.Concurrent.OutputTokensPerSecond / result.OneAtATime.OutputTokensPerSecond, result.Speedup, 9);
    }

    [Theory]
    [InlineData(50, 3.0)]
    [InlineData(95, 5.0)]
    [InlineData(0, 1.0)]
    [InlineData(100, 5.0)]
    public void Percentiles_are_nearest_rank(double percent, double expected) =>
        Assert.Equal(expected, ServingBenchmark.Percentile([5, 1, 4, 2, 3], percent));

    [Fact]
    public void The_percentile_of_nothing_is_nan() => Assert.True(double.IsNaN(ServingBenchmark.Percentile([], 50)));
}
