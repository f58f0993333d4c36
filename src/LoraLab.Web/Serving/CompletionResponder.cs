using System.Text.Json;
using System.Text.Json.Nodes;
using LoraLab.Web.Accounts;

namespace LoraLab.Web.Serving;

/// <summary>
/// Turns a request into an OpenAI answer: queues it on the serving thread, waits until it is admitted (so that a bad
/// prompt is still a 400 with OpenAI's error body), then returns the whole answer or streams it as server-sent events
/// ending with <c>data: [DONE]</c>. The request's cancellation is the client's connection, so a client that goes away
/// frees its rows at the next step.
/// </summary>
public sealed class CompletionResponder(ServedModelCatalog catalog, ServingScheduler scheduler, ServingUsage usage, TimeProvider clock)
{
    public async Task<IResult> RespondAsync(HttpContext http, CompletionKind kind, Caller caller)
    {
        var cancellation = http.RequestAborted;
        var (request, error) = await OpenAiRequestReader.ReadAsync(http.Request, kind, cancellation);
        if (error is not null) return error.ToResult();
        if (await catalog.FindAsync(request!.Model, cancellation) is not { } model) return OpenAiError.ModelNotFound(request.Model).ToResult();

        var job = new ServingJob(request, model, cancellation);
        scheduler.Submit(job);
        ServingEvent first;
        try
        {
            first = await job.Events.ReadAsync(cancellation);
        }
        catch (OperationCanceledException)
        {
            job.Abandon();
            return TypedResults.Empty;
        }
        if (first is JobFailed failed) return failed.Error.ToResult();
        var admitted = (JobAdmitted)first;
        var answer = new Answer(kind, $"{(kind == CompletionKind.Chat ? "chatcmpl" : "cmpl")}-{Guid.NewGuid():N}", clock.GetUtcNow().ToUnixTimeSeconds(), model.Id, request.N);
        if (request.Stream) return new StreamedAnswer(this, job, answer, caller, admitted.PromptTokens);

        int completionTokens = 0;
        bool completed = false;
        try
        {
            await foreach (var e in job.Events.ReadAllAsync(cancellation))
                switch (e)
                {
                    case ChoiceToken token:
                        answer.Choices[token.Choice].Add(token);
                        if (token.TokenId >= 0) completionTokens++;
                        break;
                    case JobFailed late:
                        return late.Error.ToResult();
                    case JobFinished:
                        completed = true;
                        break;
                }
        }
        catch (OperationCanceledException) { }
        finally
        {
            if (!completed) job.Abandon();
            await usage.RecordAsync(caller, request, admitted.PromptTokens, completionTokens, completed);
        }
        if (!completed) return TypedResults.Empty;
        return TypedResults.Json(OpenAiJson.Answer(kind, answer.Id, answer.Created, answer.Model, answer.Choices, admitted.PromptTokens, completionTokens));
    }

    async Task StreamAsync(HttpContext http, ServingJob job, Answer answer, Caller caller, int promptTokens)
    {
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var request = job.Request;
        var cancellation = http.RequestAborted;
        var started = new bool[request.N];
        int completionTokens = 0;
        bool completed = false;
        try
        {
            await foreach (var e in job.Events.ReadAllAsync(cancellation))
            {
                switch (e)
                {
                    case ChoiceToken token:
                        if (token.TokenId >= 0) completionTokens++;
                        var logprobs = new CompletionChoice(token.Choice);
                        logprobs.Add(token);
                        bool first = !started[token.Choice];
                        started[token.Choice] = true;
                        if (token.Text.Length == 0 && token.FinishReason is null && !first && logprobs.Logprobs.Count == 0) continue;
                        await WriteAsync(response, OpenAiJson.Chunk(answer.Kind, answer.Id, answer.Created, answer.Model, token.Choice, token.Text, first,
                            CompletionChoice.OpenAiReason(token.FinishReason), logprobs.Logprobs, request.IncludeUsage), cancellation);
                        break;
                    case JobFailed failed:
                        await WriteAsync(response, new JsonObject { ["error"] = JsonSerializer.SerializeToNode(failed.Error, JsonOptions) }, cancellation);
                        break;
                    case JobFinished:
                        completed = true;
                        if (request.IncludeUsage)
                            await WriteAsync(response, OpenAiJson.UsageChunk(answer.Kind, answer.Id, answer.Created, answer.Model, promptTokens, completionTokens), cancellation);
                        break;
                }
            }
            await response.WriteAsync("data: [DONE]\n\n", cancellation);
            await response.Body.FlushAsync(cancellation);
        }
        catch (OperationCanceledException) { }
        catch (IOException) { }
        finally
        {
            // A stream that cannot be written frees its rows even when the server has not noticed the disconnect yet.
            if (!completed) job.Abandon();
            await usage.RecordAsync(caller, request, promptTokens, completionTokens, completed);
        }
    }

    static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    static async Task WriteAsync(HttpResponse response, JsonObject chunk, CancellationToken cancellation)
    {
        await response.WriteAsync($"data: {chunk.ToJsonString()}\n\n", cancellation);
        await response.Body.FlushAsync(cancellation);
    }

    sealed record Answer(CompletionKind Kind, string Id, long Created, string Model, int N)
    {
        public CompletionChoice[] Choices { get; } = Enumerable.Range(0, N).Select(i => new CompletionChoice(i)).ToArray();
    }

    /// <summary>The response of a streamed request: chunks are written as the serving thread produces them.</summary>
    sealed class StreamedAnswer(CompletionResponder responder, ServingJob job, Answer answer, Caller caller, int promptTokens) : IResult
    {
        public Task ExecuteAsync(HttpContext http) => responder.StreamAsync(http, job, answer, caller, promptTokens);
    }
}
