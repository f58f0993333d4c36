using System.Globalization;
using System.Text.Json;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Web.Serving;

/// <summary>
/// Reads a chat or text completion request body with OpenAI's field names and ranges. Fields it does not know are
/// ignored, as OpenAI clients expect; a null counts as absent; a wrong type or value is an error naming the field.
/// </summary>
public static class OpenAiRequestReader
{
    public const int MaxChoices = 8;
    public const int MaxStops = 4;
    public const int MaxChatTopLogprobs = 20;
    public const int MaxTextLogprobs = 5;

    static readonly Dictionary<string, string> Roles = new(StringComparer.Ordinal)
    {
        ["system"] = "system", ["developer"] = "system", ["user"] = "user", ["assistant"] = "assistant",
    };

    public static async Task<(CompletionRequest? Request, OpenAiError? Error)> ReadAsync(HttpRequest http, CompletionKind kind, CancellationToken cancellation)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(http.Body, cancellationToken: cancellation);
        }
        catch (JsonException e)
        {
            return (null, OpenAiError.Invalid(null, $"The request body is not valid JSON: {e.Message}"));
        }
        using (document)
        {
            try
            {
                return (Read(document.RootElement, kind), null);
            }
            catch (BadField bad)
            {
                return (null, OpenAiError.Invalid(bad.Param, bad.Message));
            }
        }
    }

    /// <summary>The request in <paramref name="body"/>; throws <see cref="BadField"/> naming the first field that is wrong.</summary>
    public static CompletionRequest Read(JsonElement body, CompletionKind kind)
    {
        if (body.ValueKind != JsonValueKind.Object) throw new BadField(null, "The request body must be a JSON object.");
        string model = String(body, "model") ?? throw new BadField("model", "'model' is required: the name of a base model or an adapter (GET /v1/models lists them).");
        var messages = kind == CompletionKind.Chat ? Messages(body) : null;
        string? prompt = kind == CompletionKind.Text ? Prompt(body) : null;

        int? maxTokens = Integer(body, "max_completion_tokens", 1, int.MaxValue) ?? Integer(body, "max_tokens", 1, int.MaxValue);
        double? temperature = Number(body, "temperature", 0, 2);
        double? topP = Number(body, "top_p", 0, 1);
        if (topP == 0) throw new BadField("top_p", "'top_p' must be greater than 0 (1 keeps every token).");
        long? seed = Long(body, "seed");
        int n = Integer(body, "n", 1, MaxChoices) ?? 1;
        bool stream = Boolean(body, "stream") ?? false;
        bool includeUsage = false;
        if (Field(body, "stream_options") is { } options)
        {
            if (options.ValueKind != JsonValueKind.Object) throw new BadField("stream_options", "'stream_options' must be an object.");
            if (!stream) throw new BadField("stream_options", "'stream_options' is only allowed when 'stream' is true.");
            includeUsage = Boolean(options, "include_usage", "stream_options.include_usage") ?? false;
        }
        return new CompletionRequest(kind, model, messages, prompt, maxTokens, temperature, topP, seed, Stops(body), n, stream, includeUsage, TopLogprobs(body, kind), LogitBias(body));
    }

    static IReadOnlyList<ChatMessage> Messages(JsonElement body)
    {
        if (Field(body, "messages") is not { } array) throw new BadField("messages", "'messages' is required: the conversation so far, a non-empty array.");
        if (array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0) throw new BadField("messages", "'messages' must be a non-empty array.");
        var messages = new List<ChatMessage>();
        int i = 0;
        foreach (var message in array.EnumerateArray())
        {
            string at = $"messages[{i++}]";
            if (message.ValueKind != JsonValueKind.Object) throw new BadField(at, $"'{at}' must be an object with 'role' and 'content'.");
            string role = String(message, "role", $"{at}.role") ?? throw new BadField($"{at}.role", $"'{at}.role' is required.");
            if (!Roles.TryGetValue(role, out var mapped))
                throw new BadField($"{at}.role", $"'{at}.role' is '{role}'; the roles served are {string.Join(", ", Roles.Keys)}.");
            messages.Add(new ChatMessage(mapped, Content(message, $"{at}.content")));
        }
        return messages;
    }

    /// <summary>A string, or an array of text parts (OpenAI's content parts; other part types need a model that reads them).</summary>
    static string Content(JsonElement message, string param)
    {
        var content = Field(message, "content");
        if (content is null) return "";
        if (content.Value.ValueKind == JsonValueKind.String) return content.Value.GetString()!;
        if (content.Value.ValueKind != JsonValueKind.Array) throw new BadField(param, $"'{param}' must be a string or an array of text parts.");
        var text = new System.Text.StringBuilder();
        int i = 0;
        foreach (var part in content.Value.EnumerateArray())
        {
            string at = $"{param}[{i++}]";
            string type = part.ValueKind == JsonValueKind.Object ? String(part, "type", $"{at}.type") ?? "" : "";
            if (type != "text") throw new BadField(at, $"'{at}' must be a text part ({{\"type\": \"text\", \"text\": …}}); this model reads text only.");
            text.Append(String(part, "text", $"{at}.text"));
        }
        return text.ToString();
    }

    static string Prompt(JsonElement body)
    {
        if (Field(body, "prompt") is not { } prompt) throw new BadField("prompt", "'prompt' is required: the text to continue.");
        if (prompt.ValueKind == JsonValueKind.String) return prompt.GetString()!;
        if (prompt.ValueKind == JsonValueKind.Array && prompt.GetArrayLength() == 1 && prompt[0].ValueKind == JsonValueKind.String) return prompt[0].GetString()!;
        throw new BadField("prompt", "'prompt' must be a string (or an array holding one string); send one request per prompt.");
    }

    static IReadOnlyList<string> Stops(JsonElement body)
    {
        if (Field(body, "stop") is not { } stop) return [];
        if (stop.ValueKind == JsonValueKind.String) return NonEmpty([stop.GetString()!]);
        if (stop.ValueKind != JsonValueKind.Array || stop.GetArrayLength() > MaxStops || stop.EnumerateArray().Any(s => s.ValueKind != JsonValueKind.String))
            throw new BadField("stop", $"'stop' must be a string or an array of up to {MaxStops} strings.");
        return NonEmpty(stop.EnumerateArray().Select(s => s.GetString()!).ToArray());

        static IReadOnlyList<string> NonEmpty(string[] stops) =>
            stops.Any(string.IsNullOrEmpty) ? throw new BadField("stop", "'stop' strings must not be empty.") : stops;
    }

    /// <summary>OpenAI's <c>logit_bias</c>: token ids (as strings) to a bias between −100 and 100.</summary>
    static IReadOnlyDictionary<int, double> LogitBias(JsonElement body)
    {
        var bias = new Dictionary<int, double>();
        if (Field(body, "logit_bias") is not { } map) return bias;
        if (map.ValueKind != JsonValueKind.Object) throw new BadField("logit_bias", "'logit_bias' must be an object from token ids to biases between -100 and 100.");
        foreach (var entry in map.EnumerateObject())
        {
            if (!int.TryParse(entry.Name, NumberStyles.None, CultureInfo.InvariantCulture, out int id))
                throw new BadField("logit_bias", $"'logit_bias' has the key '{entry.Name}'; keys are token ids (0, 1, 2 …).");
            bias[id] = Number(map, entry.Name, -100, 100, $"logit_bias.{entry.Name}")!.Value;
        }
        return bias;
    }

    static int TopLogprobs(JsonElement body, CompletionKind kind)
    {
        if (kind == CompletionKind.Text) return Integer(body, "logprobs", 0, MaxTextLogprobs) ?? -1;
        bool wanted = Boolean(body, "logprobs") ?? false;
        int? top = Integer(body, "top_logprobs", 0, MaxChatTopLogprobs);
        if (top is not null && !wanted) throw new BadField("top_logprobs", "'top_logprobs' needs 'logprobs' set to true.");
        return wanted ? top ?? 0 : -1;
    }

    static JsonElement? Field(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    static string? String(JsonElement obj, string name, string? param = null) => Field(obj, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } s => s.GetString(),
        _ => throw new BadField(param ?? name, $"'{param ?? name}' must be a string."),
    };

    static bool? Boolean(JsonElement obj, string name, string? param = null) => Field(obj, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => throw new BadField(param ?? name, $"'{param ?? name}' must be true or false."),
    };

    static double? Number(JsonElement obj, string name, double min, double max, string? param = null)
    {
        param ??= name;
        if (Field(obj, name) is not { } value) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out double number))
            throw new BadField(param, $"'{param}' must be a number.");
        return number >= min && number <= max ? number
            : throw new BadField(param, string.Create(CultureInfo.InvariantCulture, $"'{param}' is {number}; it must be between {min} and {max}."));
    }

    static int? Integer(JsonElement obj, string name, int min, int max)
    {
        if (Field(obj, name) is not { } value) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out long number))
            throw new BadField(name, $"'{name}' must be an integer.");
        return number >= min && number <= max ? (int)number
            : throw new BadField(name, max == int.MaxValue ? $"'{name}' is {number}; it must be at least {min}." : $"'{name}' is {number}; it must be between {min} and {max}.");
    }

    static long? Long(JsonElement obj, string name) => Field(obj, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } v when v.TryGetInt64(out long l) => l,
        _ => throw new BadField(name, $"'{name}' must be an integer."),
    };

    /// <summary>A field of the request that is missing, of the wrong type or out of range.</summary>
    public sealed class BadField(string? param, string message) : Exception(message)
    {
        public string? Param => param;
    }
}
