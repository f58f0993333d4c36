using System.Threading.Channels;

namespace LoraLab.Web.Serving;

/// <summary>
/// One request on its way through the serving thread: what to generate, for which served model, and the channel its
/// events come back on. Its cancellation is the client's connection, or <see cref="Abandon"/> when the handler can no
/// longer write to it: once either fires, its rows leave the batch.
/// </summary>
public sealed class ServingJob(CompletionRequest request, ServedModel model, CancellationToken connection)
{
    readonly Channel<ServingEvent> events = Channel.CreateUnbounded<ServingEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    // Not disposed: the serving thread may still read its token after the handler returns; it lives as long as the request.
    readonly CancellationTokenSource abandoned = CancellationTokenSource.CreateLinkedTokenSource(connection);

    public CompletionRequest Request => request;
    public ServedModel Model => model;
    public CancellationToken Cancellation => abandoned.Token;

    /// <summary>Nobody reads the answer any more (the client went away or its stream broke): free the rows.</summary>
    public void Abandon() => abandoned.Cancel();
    public DateTime QueuedAt { get; } = DateTime.UtcNow;
    public ChannelReader<ServingEvent> Events => events.Reader;

    internal int PromptTokens { get; set; }
    internal int CompletionTokens { get; set; }
    internal int ChoicesRunning { get; set; }

    internal void Send(ServingEvent e) => events.Writer.TryWrite(e);

    internal void Fail(OpenAiError error)
    {
        Send(new JobFailed(error));
        events.Writer.TryComplete();
    }

    internal void Finish()
    {
        Send(new JobFinished(PromptTokens, CompletionTokens));
        events.Writer.TryComplete();
    }
}
