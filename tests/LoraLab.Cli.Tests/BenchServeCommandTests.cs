using System.Text.Json;

namespace LoraLab.Cli.Tests;

public sealed class BenchServeCommandTests
{
    [Fact]
    public void Bench_serve_prints_both_phases_with_every_requested_token_and_the_clients_decoded_together()
    {
        var run = LoralabProcess.Run("bench", "serve", "--adapters", "2", "--clients", "3", "--requests-per-client", "1", "--prompt-tokens", "4",
            "--max-tokens", "5", "--r", "2", "--hidden-size", "64", "--intermediate-size", "128", "--layers", "2", "--heads", "4", "--kv-heads", "2",
            "--vocab-size", "300", "--json");

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.StdErr}");
        var result = JsonDocument.Parse(run.StdOut).RootElement;
        var concurrent = result.GetProperty("concurrent");
        var alone = result.GetProperty("one_at_a_time");
        Assert.Equal(2, result.GetProperty("adapters").GetInt32());
        Assert.Equal(15, concurrent.GetProperty("output_tokens").GetInt32());
        Assert.Equal(15, alone.GetProperty("output_tokens").GetInt32());
        Assert.Equal(3, concurrent.GetProperty("peak_rows").GetInt32());
        Assert.Equal(1, alone.GetProperty("peak_rows").GetInt32());
        Assert.True(concurrent.GetProperty("time_to_first_token_p95_ms").GetDouble() >= concurrent.GetProperty("time_to_first_token_p50_ms").GetDouble());
    }
}
