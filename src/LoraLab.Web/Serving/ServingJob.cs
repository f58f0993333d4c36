using System.Threading.Channels;

namespace LoraLab.Web.Serving;

/// <summary>
/// One request on its way through the serving thread: what to generate, for which served model, and the channel its
/// events come back on. Its cancellation is the client's connection: once it fires, its rows leave the batch.
/// </summary>
public sealed class ServingJob(CompletionRequest request, ServedModel model, CancellationToken cancellation)
{
    readonly Channel<ServingEvent> events = Channel.CreateUnbounded<ServingEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    public CompletionRequest Request => request;
    public ServedModel Model => model;
    public CancellationToken Cancellation => cancellation;
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
