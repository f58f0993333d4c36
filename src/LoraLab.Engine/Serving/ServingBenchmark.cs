using System.Diagnostics;
using System.Text.Json;
using LoraLab.Engine.Generation;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Serving;

/// <summary>
/// One way of sending the benchmark's requests: <paramref name="Concurrency"/> clients, each sending its next request
/// as soon as its previous one is answered. Latencies in milliseconds; time to first token counts from the request's
/// arrival, so it includes waiting for the decode step in progress.
/// </summary>
/// <param name="PeakRows">The most rows decoded together.</param>
public sealed record ServingPhase(int Concurrency, int Requests, int OutputTokens, double Seconds, double RequestsPerSecond, double OutputTokensPerSecond,
    double TimeToFirstTokenP50Ms, double TimeToFirstTokenP95Ms, double InterTokenLatencyP50Ms, double InterTokenLatencyP95Ms, int PeakRows);

/// <param name="Speedup">Output tokens/s of the concurrent clients over the same requests sent one at a time.</param>
public sealed record ServingBenchmarkResult(string Architecture, long Parameters, int Adapters, int Clients, int Rank, int PromptTokens, int MaxTokens,
    int Threads, ServingPhase Concurrent, ServingPhase OneAtATime, double Speedup)
{
    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true });
}

/// <summary>
/// Serving many adapters of one base on random weights of a given shape: C clients over K LoRA adapters (request i uses
/// adapter i mod K) through a <see cref="ContinuousBatch"/>, as the studio's serving thread drives it, against the same
/// requests one at a time. Greedy, with no EOS, so every request generates exactly its token budget.
/// </summary>
public static class ServingBenchmark
{
    public static ServingBenchmarkResult Run(ModelConfig model, int adapters, int clients, int requestsPerClient = 2, int promptTokens = 32,
        int maxTokens = 64, int rank = 16, long seed = 0)
    {
        if (adapters < 1) throw new ArgumentException($"adapters must be at least 1, got {adapters}.");
        if (clients < 1) throw new ArgumentException($"clients must be at least 1, got {clients}.");
        if (promptTokens + maxTokens > model.MaxPositionEmbeddings)
            throw new ArgumentException($"A prompt of {promptTokens} tokens and {maxTokens} new ones exceed the shape's context of {model.MaxPositionEmbeddings}.");
        using var lm = new CausalLM(model, CPU, ScalarType.Float32);
        ModelInitializer.InitializeRandom(lm, seed);
        var names = Enumerable.Range(0, adapters).Select(k => $"adapter{k}").ToArray();
        var generator = new Generator((ulong)seed);
        foreach (string name in names)
            foreach (var adapter in LoraInjection.Inject(lm, new LoraConfig { R = rank, LoraAlpha = 2 * rank, TargetModules = [LoraConfig.AllLinear] }, name).Values)
                using (no_grad()) { adapter.lora_A.normal_(0, 0.02, generator); adapter.lora_B.normal_(0, 0.02, generator); }
        LoraInjection.SetActive(lm, null);
        lm.eval();

        var random = new Random((int)seed);
        var requests = Enumerable.Range(0, clients * requestsPerClient)
            .Select(i => new Request(Enumerable.Range(0, promptTokens).Select(_ => random.Next(model.VocabSize)).ToArray(), names[i % adapters]))
            .ToArray();
        var options = SamplingOptions.Greedy with { MaxNewTokens = maxTokens };

        Measure(lm, requests.Take(1).ToArray(), 1, options with { MaxNewTokens = 4 });   // warm-up: allocator growth and kernel selection
        var oneAtATime = Measure(lm, requests, 1, options);
        var concurrent = Measure(lm, requests, clients, options);
        return new ServingBenchmarkResult(model.Architecture, lm.ParameterCount(), adapters, clients, rank, promptTokens, maxTokens, get_num_threads(),
            concurrent, oneAtATime, concurrent.OutputTokensPerSecond / oneAtATime.OutputTokensPerSecond);
    }

    sealed record Request(int[] Prompt, string Adapter);

    /// <summary>Runs every request with <paramref name="concurrency"/> clients in flight, as a serving loop does: admit the requests waiting (prefilled together), then step.</summary>
    static ServingPhase Measure(CausalLM lm, Request[] requests, int concurrency, SamplingOptions options)
    {
        using var batch = new ContinuousBatch(lm);
        var clock = Stopwatch.StartNew();
        var arrived = new double[requests.Length];
        var tokenTimes = requests.Select(_ => new List<double>()).ToArray();
        var rowRequest = new Dictionary<BatchRow, int>();
        var waiting = new Queue<int>(Enumerable.Range(0, Math.Min(concurrency, requests.Length)));
        int nextRequest = waiting.Count, peakRows = 0;

        void Finished(BatchRow row)
        {
            rowRequest.Remove(row);
            row.Dispose();
            if (nextRequest >= requests.Length) return;
            arrived[nextRequest] = clock.Elapsed.TotalMilliseconds;
            waiting.Enqueue(nextRequest++);
        }

        while (waiting.Count > 0 || batch.Rows.Count > 0)
        {
            if (waiting.Count > 0)
            {
                var admitted = waiting.ToArray();
                waiting.Clear();
                var firsts = batch.Join(admitted.Select(r => new JoinRequest(requests[r].Prompt, requests[r].Adapter, options, [])).ToArray());
                for (int i = 0; i < admitted.Length; i++)
                {
                    tokenTimes[admitted[i]].Add(clock.Elapsed.TotalMilliseconds);
                    rowRequest[firsts[i].Row] = admitted[i];
                    if (firsts[i].Row.IsFinished) Finished(firsts[i].Row);
                }
            }
            peakRows = Math.Max(peakRows, batch.Rows.Count);
            foreach (var step in batch.Step())
            {
                tokenTimes[rowRequest[step.Row]].Add(clock.Elapsed.TotalMilliseconds);
                if (step.Row.IsFinished) Finished(step.Row);
            }
        }

        double seconds = clock.Elapsed.TotalSeconds;
        int tokens = tokenTimes.Sum(t => t.Count);
        var ttft = tokenTimes.Select((t, r) => t[0] - arrived[r]).ToArray();
        var itl = tokenTimes.SelectMany(t => t.Zip(t.Skip(1), (a, b) => b - a)).ToArray();
        return new ServingPhase(concurrency, requests.Length, tokens, seconds, requests.Length / seconds, tokens / seconds,
            Percentile(ttft, 50), Percentile(ttft, 95), Percentile(itl, 50), Percentile(itl, 95), peakRows);
    }

    /// <summary>The nearest-rank percentile: the smallest value with at least <paramref name="percent"/>% of the values at or below it; NaN for none.</summary>
    public static double Percentile(IReadOnlyCollection<double> values, double percent)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        int rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
