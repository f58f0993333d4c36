using System.Text.Json;
using System.Text.Json.Serialization;

namespace LoraLab.Engine.Generation;

/// <summary>Generation speed and memory of one model shape on one device; serialised with snake_case names.</summary>
/// <param name="ResidentAfterLoadBytes">Resident memory once the model is built, before any generation.</param>
/// <param name="PeakResidentBytes">The highest resident memory over all measured contexts.</param>
public sealed record GenerationBenchmarkResult(
    string Architecture, long Parameters, string Device, [property: JsonPropertyName("dtype")] string DType, int Threads, int BatchSize,
    long ResidentAfterLoadBytes, long PeakResidentBytes, IReadOnlyList<ContextBenchmark> Contexts)
{
    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}

/// <summary>Prefill of <paramref name="ContextTokens"/> per row, then <paramref name="DecodeSteps"/> single-token steps.</summary>
/// <param name="PrefillTokensPerSecond">Prompt tokens of all rows processed per second.</param>
/// <param name="DecodeTokensPerSecond">Generated tokens of all rows per second.</param>
/// <param name="DecodeMsPerToken">Milliseconds per decode step (one token for every row); stays flat as context grows.</param>
/// <param name="PeakResidentBytes">The highest resident memory while this context was measured.</param>
public sealed record ContextBenchmark(
    int ContextTokens, int DecodeSteps, double PrefillSeconds, double PrefillTokensPerSecond,
    double DecodeSeconds, double DecodeTokensPerSecond, double DecodeMsPerToken, long PeakResidentBytes);
