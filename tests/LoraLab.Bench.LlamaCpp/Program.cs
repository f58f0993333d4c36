using System.Globalization;
using System.Text.Json;
using LoraLab.Bench.LlamaCpp;
using LoraLab.Engine.Generation;

// loralab-bench-llamacpp [--shape smollm2-135m|tiny] [--threads 2] [--context 128] [--tokens 64] [--adapters 4] [--rank 16] [--bf16] [--tokenizer DIR] [--json]
try
{
    var arguments = Arguments.Parse(args);
    string shapeName = arguments.Get("shape", "smollm2-135m");
    var options = new SideBySideOptions(BenchShapes.Named(shapeName), shapeName,
        arguments.Get("tokenizer", BenchShapes.DemoTokenizerFolder()), arguments.Int("threads", 2), arguments.Int("context", 128),
        arguments.Int("tokens", 64), arguments.Int("adapters", 4), arguments.Int("rank", 16), arguments.Flag("bf16"));
    Console.Error.WriteLine($"{options.ShapeName}: {options.Threads} threads, context {options.Context}, {options.Tokens} new tokens, {options.Adapters} adapters of r {options.Rank}");
    var result = SideBySideBenchmark.Run(options);
    if (arguments.Flag("json"))
    {
        Console.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true }));
        return 0;
    }
    foreach (var (name, value) in result.SingleStreamDecodeTokensPerSecond)
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"single stream  {name,-34} {value,8:F1} tokens/s"));
    foreach (var (name, value) in result.AdaptersOutputTokensPerSecond)
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{options.Adapters} adapters     {name,-34} {value,8:F1} tokens/s"));
    return 0;
}
catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or NotSupportedException or InvalidOperationException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
