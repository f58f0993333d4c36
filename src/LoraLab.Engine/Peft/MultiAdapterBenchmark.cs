using System.Diagnostics;
using System.Text.Json;
using LoraLab.Engine.Models;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Peft;

/// <param name="MixedSeconds">One forward pass of K rows, each row routed to its own adapter.</param>
/// <param name="SeparateSeconds">K forward passes of one row each, switching the active adapter between them.</param>
/// <param name="Speedup">SeparateSeconds / MixedSeconds: how much one mixed batch saves over K separate ones.</param>
public sealed record MultiAdapterBenchmarkResult(
    string Architecture, int Adapters, int Rank, int SequenceLength, int Threads, double MixedSeconds, double SeparateSeconds,
    double MixedTokensPerSecond, double SeparateTokensPerSecond, double Speedup)
{
    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true });
}

/// <summary>The throughput of a mixed-adapter batch (Punica/S-LoRA style routing) against one batch per adapter, on random weights.</summary>
public static class MultiAdapterBenchmark
{
    public static MultiAdapterBenchmarkResult Run(ModelConfig model, int adapters, int rank = 16, int sequenceLength = 128, int repeats = 3, long seed = 0)
    {
        if (adapters < 1) throw new ArgumentException($"adapters must be at least 1, got {adapters}.");
        using var lm = new CausalLM(model, CPU, ScalarType.Float32);
        ModelInitializer.InitializeRandom(lm, seed);
        var names = Enumerable.Range(0, adapters).Select(k => $"adapter{k}").ToArray();
        var generator = new Generator((ulong)seed);
        foreach (string name in names)
            foreach (var adapter in LoraInjection.Inject(lm, new LoraConfig { R = rank, LoraAlpha = 2 * rank, TargetModules = [LoraConfig.AllLinear] }, name).Values)
                using (no_grad()) { adapter.lora_A.normal_(0, 0.02, generator); adapter.lora_B.normal_(0, 0.02, generator); }
        lm.eval();
        using var noGrad = no_grad();
        using var ids = randint(model.VocabSize, [adapters, sequenceLength], generator: generator);   // (K, T)

        double Mixed()
        {
            using var routing = AdapterRouting.PerRow(lm, names);
            return Time(() => lm.Forward(ids));
        }
        double Separate() => Enumerable.Range(0, adapters).Sum(k =>
        {
            LoraInjection.SetActive(lm, names[k]);
            return Time(() => lm.Forward(ids.narrow(0, k, 1)));
        });

        Mixed();
        Separate();   // warm-up: allocator growth and kernel selection
        double mixed = Enumerable.Range(0, repeats).Min(_ => Mixed());
        double separate = Enumerable.Range(0, repeats).Min(_ => Separate());
        double tokens = (double)adapters * sequenceLength;
        return new MultiAdapterBenchmarkResult(model.Architecture, adapters, rank, sequenceLength, get_num_threads(), mixed, separate,
            tokens / mixed, tokens / separate, separate / mixed);
    }

    static double Time(Func<Tensor> forward)
    {
        using var scope = NewDisposeScope();
        var clock = Stopwatch.StartNew();
        forward();
        return clock.Elapsed.TotalSeconds;
    }
}
