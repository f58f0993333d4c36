using System.CommandLine;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Generation;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Training;

namespace LoraLab.Cli.Commands;

/// <summary><c>loralab bench generate [shape flags] [--json]</c>: throughput figures on random weights of a given shape.</summary>
static class BenchCommand
{
    public static Command Create() => new("bench", "Measure throughput and memory on random weights.") { Generate(), Train(), MultiAdapter(), Serve() };

    static Command MultiAdapter()
    {
        var shape = new ModelShapeOptions();
        var adapters = new Option<int>("--adapters") { Description = "K adapters, one per row.", DefaultValueFactory = _ => 4 };
        var rank = new Option<int>("--r", "--rank") { DefaultValueFactory = _ => 16 };
        var sequence = new Option<int>("--sequence-length") { DefaultValueFactory = _ => 128 };
        var json = CommonOptions.Json();
        var command = new Command("multi-adapter", "One mixed batch of K adapters (each row its own) against K separate single-adapter batches.") { adapters, rank, sequence, json };
        shape.AddTo(command);
        command.SetAction(parse =>
        {
            var result = MultiAdapterBenchmark.Run(shape.Read(parse, GenerationBenchmarkOptions.SmolLM2_135M), parse.GetValue(adapters), parse.GetValue(rank), parse.GetValue(sequence));
            if (parse.GetValue(json)) Console.WriteLine(result.ToJson());
            else Console.WriteLine($"{result.Adapters} adapters: mixed batch {result.MixedTokensPerSecond:F0} tokens/s, separate batches {result.SeparateTokensPerSecond:F0} tokens/s, speed-up ×{result.Speedup:F2}");
        });
        return command;
    }

    static Command Serve()
    {
        var shape = new ModelShapeOptions();
        var adapters = new Option<int>("--adapters") { Description = "K LoRA adapters of one base; request i uses adapter i mod K.", DefaultValueFactory = _ => 4 };
        var clients = new Option<int>("--clients") { Description = "C clients, each sending its next request once answered.", DefaultValueFactory = _ => 4 };
        var perClient = new Option<int>("--requests-per-client") { DefaultValueFactory = _ => 2 };
        var prompt = new Option<int>("--prompt-tokens") { DefaultValueFactory = _ => 32 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "New tokens per request (no EOS: each request generates all of them).", DefaultValueFactory = _ => 64 };
        var rank = new Option<int>("--r", "--rank") { DefaultValueFactory = _ => 16 };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for libtorch (default: its own choice)." };
        var json = CommonOptions.Json();
        var command = new Command("serve", "Continuous batching of C clients over K adapters of one base against the same requests one at a time: requests/s, output tokens/s, time to first token and inter-token latency.")
        {
            adapters, clients, perClient, prompt, maxTokens, rank, threads, json,
        };
        shape.AddTo(command);
        command.SetAction(parse =>
        {
            if (parse.GetValue(threads) is { } n) TorchSharp.torch.set_num_threads(n);
            var result = Engine.Serving.ServingBenchmark.Run(shape.Read(parse, GenerationBenchmarkOptions.SmolLM2_135M), parse.GetValue(adapters), parse.GetValue(clients),
                parse.GetValue(perClient), parse.GetValue(prompt), parse.GetValue(maxTokens), parse.GetValue(rank));
            if (parse.GetValue(json)) Console.WriteLine(result.ToJson());
            else
            {
                foreach (var (label, phase) in new[] { ($"{result.Clients} clients", result.Concurrent), ("one at a time", result.OneAtATime) })
                    Console.WriteLine($"{label}: {phase.RequestsPerSecond:F2} requests/s, {phase.OutputTokensPerSecond:F1} output tokens/s, " +
                                      $"TTFT p50 {phase.TimeToFirstTokenP50Ms:F0} ms p95 {phase.TimeToFirstTokenP95Ms:F0} ms, ITL p50 {phase.InterTokenLatencyP50Ms:F0} ms p95 {phase.InterTokenLatencyP95Ms:F0} ms");
                Console.WriteLine($"{result.Adapters} adapters, {result.Clients} clients: x{result.Speedup:F2} output tokens/s over one at a time");
            }
        });
        return command;
    }

    static Command Train()
    {
        var shape = new ModelShapeOptions();
        var method = new MethodFlags();
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => 4 };
        var sequence = new Option<int>("--sequence-length") { DefaultValueFactory = _ => 256 };
        var precision = new Option<ComputePrecision>("--precision") { Description = "float32 (exact) or bf16 (mixed: bf16 base, float32 adapter and optimizer).", DefaultValueFactory = _ => ComputePrecision.Float32 };
        var checkpointing = new Option<bool>("--gradient-checkpointing");
        var steps = new Option<int>("--steps") { Description = "Timed optimizer steps (after one warm-up step).", DefaultValueFactory = _ => 5 };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for libtorch (default: its own choice)." };
        var json = CommonOptions.Json();
        var command = new Command("train", "Training tokens/s, step time, peak memory, trainable parameters and the base's bytes per weight, beside the memory estimate.")
        {
            batch, sequence, precision, checkpointing, steps, threads, json,
        };
        shape.AddTo(command);
        method.AddTo(command);
        command.SetAction(parse =>
        {
            if (parse.GetValue(threads) is { } n) TorchSharp.torch.set_num_threads(n);
            var methodOptions = method.Read(parse);
            InvalidSettingsException.ThrowIfAny(methodOptions);
            var defaults = new TrainingBenchmarkOptions();
            var result = TrainingBenchmark.Run(defaults with
            {
                Model = shape.Read(parse, GenerationBenchmarkOptions.SmolLM2_135M),
                Method = methodOptions,
                BatchSize = parse.GetValue(batch),
                SequenceLength = parse.GetValue(sequence),
                Precision = parse.GetValue(precision),
                GradientCheckpointing = parse.GetValue(checkpointing),
                Steps = parse.GetValue(steps),
            });
            if (parse.GetValue(json)) Console.WriteLine(result.ToJson());
            else Console.WriteLine($"{result.Method} {result.Precision}{(result.GradientCheckpointing ? " +checkpointing" : "")}: {result.TokensPerSecond:F0} tokens/s, " +
                                   $"{result.StepSeconds:F2} s/step, peak {result.PeakResidentBytes / 1e9:F2} GB (estimate {result.Estimate.Total / 1e9:F2} GB), " +
                                   $"{result.TrainableParameters:N0} trainable, base {result.BaseBytesPerParameter:F3} bytes/weight");
        });
        return command;
    }

    static Command Generate()
    {
        var shape = new ModelShapeOptions();
        var batch = new Option<int>("--batch") { Description = "Prompts generated together.", DefaultValueFactory = _ => 1 };
        var contexts = new Option<int[]>("--context") { Description = "Context lengths to measure at (repeatable).", DefaultValueFactory = _ => [64, 1024] };
        var decodeTokens = new Option<int>("--decode-tokens") { Description = "Tokens decoded after each context.", DefaultValueFactory = _ => 32 };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for libtorch (default: its own choice)." };
        var json = CommonOptions.Json();
        var device = CommonOptions.Device();
        var command = new Command("generate", "Prefill and decode tokens/s and peak memory; decode cost per token at each context length.")
        {
            batch, contexts, decodeTokens, threads, json, device,
        };
        shape.AddTo(command);
        command.SetAction(parse =>
        {
            if (parse.GetValue(threads) is { } n) TorchSharp.torch.set_num_threads(n);
            var options = new GenerationBenchmarkOptions
            {
                Model = shape.Read(parse, GenerationBenchmarkOptions.SmolLM2_135M),
                Device = ComputeDevice.Select(parse.GetValue(device)!),
                BatchSize = parse.GetValue(batch),
                ContextLengths = parse.GetValue(contexts)!,
                DecodeTokens = parse.GetValue(decodeTokens),
            };
            var result = GenerationBenchmark.Run(options);
            if (parse.GetValue(json)) Console.WriteLine(result.ToJson());
            else
                foreach (var c in result.Contexts)
                    Console.WriteLine($"context {c.ContextTokens,5}: prefill {c.PrefillTokensPerSecond,8:F0} tok/s, decode {c.DecodeTokensPerSecond,7:F1} tok/s ({c.DecodeMsPerToken:F1} ms/token), peak {c.PeakResidentBytes / 1e9:F2} GB");
        });
        return command;
    }
}
