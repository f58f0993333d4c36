using System.Text;
using System.Text.Json.Nodes;
using LoraLab.Engine.Serving;

namespace LoraLab.Web.Serving;

/// <summary>
/// The bodies of OpenAI's responses, field for field: <c>chat.completion</c> and <c>text_completion</c> objects, their
/// streamed chunks, <c>usage</c>, log-probabilities in each endpoint's own shape, and the model list.
/// </summary>
public static class OpenAiJson
{
    public static JsonObject Answer(CompletionKind kind, string id, long created, string model, IReadOnlyList<CompletionChoice> choices, int promptTokens, int completionTokens) => new()
    {
        ["id"] = id,
        ["object"] = kind == CompletionKind.Chat ? "chat.completion" : "text_completion",
        ["created"] = created,
        ["model"] = model,
        ["choices"] = new JsonArray(choices.Select(c => (JsonNode)(kind == CompletionKind.Chat
            ? new JsonObject
            {
                ["index"] = c.Index,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = c.Text, ["refusal"] = null },
                ["logprobs"] = ChatLogprobs(c.Logprobs),
                ["finish_reason"] = CompletionChoice.OpenAiReason(c.FinishReason),
            }
            : new JsonObject
            {
                ["index"] = c.Index,
                ["text"] = c.Text,
                ["logprobs"] = TextLogprobs(c.Logprobs),
                ["finish_reason"] = CompletionChoice.OpenAiReason(c.FinishReason),
            })).ToArray()),
        ["usage"] = Usage(promptTokens, completionTokens),
        ["system_fingerprint"] = null,
    };

    /// <summary>A streamed chunk for one choice: its new text, and on its last chunk the finish reason.</summary>
    public static JsonObject Chunk(CompletionKind kind, string id, long created, string model, int choice, string text, bool first,
        string? finishReason, IReadOnlyList<(string Token, TokenLogprobs Logprobs, IReadOnlyList<string> TopTokens)> logprobs, bool includeUsage)
    {
        JsonObject choiceJson;
        if (kind == CompletionKind.Chat)
        {
            var delta = new JsonObject();
            if (first) delta["role"] = "assistant";
            if (first || text.Length > 0) delta["content"] = text;
            choiceJson = new JsonObject { ["index"] = choice, ["delta"] = delta, ["logprobs"] = ChatLogprobs(logprobs), ["finish_reason"] = finishReason };
        }
        else choiceJson = new JsonObject { ["index"] = choice, ["text"] = text, ["logprobs"] = TextLogprobs(logprobs), ["finish_reason"] = finishReason };
        var chunk = ChunkHead(kind, id, created, model);
        chunk["choices"] = new JsonArray(choiceJson);
        if (includeUsage) chunk["usage"] = null;
        return chunk;
    }

    /// <summary>The last chunk of a stream with <c>stream_options.include_usage</c>: no choices, the request's usage.</summary>
    public static JsonObject UsageChunk(CompletionKind kind, string id, long created, string model, int promptTokens, int completionTokens)
    {
        var chunk = ChunkHead(kind, id, created, model);
        chunk["choices"] = new JsonArray();
        chunk["usage"] = Usage(promptTokens, completionTokens);
        return chunk;
    }

    public static JsonObject Models(IReadOnlyList<ServedModel> models, long created) => new()
    {
        ["object"] = "list",
        ["data"] = new JsonArray(models.Select(m => (JsonNode)new JsonObject
        {
            ["id"] = m.Id,
            ["object"] = "model",
            ["created"] = m.Adapter is { } adapter ? new DateTimeOffset(DateTime.SpecifyKind(adapter.CreatedAt, DateTimeKind.Utc)).ToUnixTimeSeconds() : created,
            ["owned_by"] = m.Owner,
            // The model it derives from, as OpenAI means root; host folders stay private.
            ["root"] = m.Base.Name,
            ["parent"] = m.Adapter is null ? null : m.Base.Name,
            ["max_model_len"] = m.Base.Config?.MaxPositionEmbeddings,
        }).ToArray()),
    };

    static JsonObject ChunkHead(CompletionKind kind, string id, long created, string model) => new()
    {
        ["id"] = id,
        ["object"] = kind == CompletionKind.Chat ? "chat.completion.chunk" : "text_completion",
        ["created"] = created,
        ["model"] = model,
        ["system_fingerprint"] = null,
    };

    static JsonObject Usage(int promptTokens, int completionTokens) => new()
    {
        ["prompt_tokens"] = promptTokens,
        ["completion_tokens"] = completionTokens,
        ["total_tokens"] = promptTokens + completionTokens,
    };

    static JsonObject? ChatLogprobs(IReadOnlyList<(string Token, TokenLogprobs Logprobs, IReadOnlyList<string> TopTokens)> tokens) => tokens.Count == 0 ? null : new JsonObject
    {
        ["content"] = new JsonArray(tokens.Select(t => (JsonNode)new JsonObject
        {
            ["token"] = t.Token,
            ["logprob"] = t.Logprobs.Logprob,
            ["bytes"] = Bytes(t.Token),
            ["top_logprobs"] = new JsonArray(t.Logprobs.Top.Select((top, k) => (JsonNode)new JsonObject
            {
                ["token"] = t.TopTokens[k], ["logprob"] = top.Logprob, ["bytes"] = Bytes(t.TopTokens[k]),
            }).ToArray()),
        }).ToArray()),
        ["refusal"] = null,
    };

    static JsonObject? TextLogprobs(IReadOnlyList<(string Token, TokenLogprobs Logprobs, IReadOnlyList<string> TopTokens)> tokens)
    {
        if (tokens.Count == 0) return null;
        var offsets = new JsonArray();
        int offset = 0;
        foreach (var t in tokens)
        {
            offsets.Add(offset);
            offset += t.Token.Length;
        }
        return new JsonObject
        {
            ["tokens"] = new JsonArray(tokens.Select(t => (JsonNode)t.Token).ToArray()),
            ["token_logprobs"] = new JsonArray(tokens.Select(t => (JsonNode)t.Logprobs.Logprob).ToArray()),
            ["top_logprobs"] = new JsonArray(tokens.Select(t =>
            {
                var top = new JsonObject();
                for (int k = 0; k < t.TopTokens.Count; k++) top[t.TopTokens[k]] = t.Logprobs.Top[k].Logprob;
                return (JsonNode)top;
            }).ToArray()),
            ["text_offset"] = offsets,
        };
    }

    static JsonArray Bytes(string token) => new(Encoding.UTF8.GetBytes(token).Select(b => (JsonNode)(int)b).ToArray());
}
