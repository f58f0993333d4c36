using System.Threading.Channels;

namespace LoraLab.Web.Training;

/// <summary>
/// Hands run events to in-process subscribers (Blazor components, the SignalR relay) without ever blocking the
/// training thread: each subscriber has a bounded buffer that drops its oldest events when the subscriber falls
/// behind, and receives what accumulated in batches, at most one batch per <see cref="MinimumInterval"/> (4 a second).
/// Persistence does not depend on this: the training service stores every event itself.
/// </summary>
public sealed class TrainingNotifier(TimeProvider clock, ILogger<TrainingNotifier> logger)
{
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Events a subscriber may fall behind by before it loses the oldest.</summary>
    public const int Capacity = 4096;

    readonly TimeProvider _clock = clock;
    readonly ILogger _logger = logger;
    readonly Lock _lock = new();
    Subscription[] _subscriptions = [];

    /// <summary>Never blocks: each subscriber's buffer takes the update or drops its oldest one to make room.</summary>
    public void Publish(RunUpdate update)
    {
        foreach (var subscription in Volatile.Read(ref _subscriptions))
            subscription.Offer(update);
    }

    /// <summary>
    /// Calls <paramref name="onUpdates"/> with the updates of run <paramref name="runId"/> (or of every run when null)
    /// that arrived since the previous call, one call at a time. Dispose the result to stop.
    /// </summary>
    /// <remarks>A Blazor component hands the batch to <c>InvokeAsync</c> and re-renders once per batch.</remarks>
    public IDisposable Subscribe(int? runId, Func<IReadOnlyList<RunUpdate>, Task> onUpdates)
    {
        var subscription = new Subscription(this, runId, onUpdates);
        lock (_lock) _subscriptions = [.. _subscriptions, subscription];
        subscription.Start();
        return subscription;
    }

    void Remove(Subscription subscription)
    {
        lock (_lock) _subscriptions = _subscriptions.Where(s => s != subscription).ToArray();
    }

    sealed class Subscription(TrainingNotifier notifier, int? runId, Func<IReadOnlyList<RunUpdate>, Task> onUpdates) : IDisposable
    {
        readonly Channel<RunUpdate> _buffer = Channel.CreateBounded<RunUpdate>(
            new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        readonly CancellationTokenSource _stop = new();

        public void Offer(RunUpdate update)
        {
            if (runId is null || runId == update.RunId) _buffer.Writer.TryWrite(update);
        }

        public void Start() => _ = Task.Run(DeliverAsync);

        async Task DeliverAsync()
        {
            var clock = notifier._clock;
            try
            {
                while (await _buffer.Reader.WaitToReadAsync(_stop.Token))
                {
                    long started = clock.GetTimestamp();
                    var batch = new List<RunUpdate>();
                    while (batch.Count < Capacity && _buffer.Reader.TryRead(out var update)) batch.Add(update);
                    try
                    {
                        await onUpdates(batch);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        notifier._logger.LogWarning(e, "A training-event subscriber failed on a batch of {Count} updates; it stays subscribed.", batch.Count);
                    }
                    var wait = MinimumInterval - clock.GetElapsedTime(started);
                    if (wait > TimeSpan.Zero) await Task.Delay(wait, clock, _stop.Token);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
        }

        public void Dispose()
        {
            notifier.Remove(this);
            _buffer.Writer.TryComplete();
            _stop.Cancel();
        }
    }
}
