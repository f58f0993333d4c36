using System.Text.Encodings.Web;
using System.Text.Json;

namespace LoraLab.Cli;

static class JsonOutput
{
    static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Print<T>(T value) => Console.WriteLine(JsonSerializer.Serialize(value, Options));
}
