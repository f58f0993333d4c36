using System.Diagnostics;
using LoraLab.Web.Training;
using Microsoft.Extensions.Logging.Abstractions;

namespace LoraLab.Web.Tests.Training;

public sealed class TrainingNotifierTests
{
    readonly TrainingNotifier _notifier = new(TimeProvider.System, NullLogger<TrainingNotifier>.Instance);

    static RunUpdate Update(int runId, int step) => new(runId, ScriptedExecutor.Step(step, 1000));

    [Fact]
    public async Task A_subscriber_gets_every_event_of_its_run_in_order_in_at_most_four_batches_a_second()
    {
        var batches = new List<(TimeSpan At, IReadOnlyList<RunUpdate> Updates)>();
        var clock = Stopwatch.StartNew();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = _notifier.Subscribe(runId: 1, updates =>
        {
            lock (batches) batches.Add((clock.Elapsed, updates));
            if (updates[^1].Event is StepMetrics { Step: 300 }) all.TrySetResult();
            return Task.CompletedTask;
        });

        for (int step = 1; step <= 300; step++)
        {
            _notifier.Publish(Update(1, step));
            _notifier.Publish(Update(2, step));
            if (step % 50 == 0) await Task.Delay(100);
        }
        await all.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(Enumerable.Range(1, 300), batches.SelectMany(b => b.Updates).Select(u => ((StepMetrics)u.Event).Step));
        Assert.All(batches.SelectMany(b => b.Updates), u => Assert.Equal(1, u.RunId));
        Assert.True(batches.Count >= 2, $"{batches.Count} batch(es) for 300 events over 600 ms");
        var gaps = batches.Zip(batches.Skip(1), (a, b) => b.At - a.At);
        Assert.All(gaps, gap => Assert.True(gap >= TrainingNotifier.MinimumInterval - TimeSpan.FromMilliseconds(20), $"batches {gap.TotalMilliseconds} ms apart"));
    }

    [Fact]
    public async Task A_stuck_subscriber_never_blocks_the_publisher_and_keeps_only_the_newest_events()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = new List<RunUpdate>();
        var last = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int total = TrainingNotifier.Capacity * 3;
        using var subscription = _notifier.Subscribe(runId: null, async updates =>
        {
            await release.Task;
            lock (received) received.AddRange(updates);
            if (updates[^1].Event is StepMetrics s && s.Step == total) last.TrySetResult();
        });
        _notifier.Publish(Update(1, 0));
        await Task.Delay(50); // the subscriber is now stuck on its first batch

        var publishing = Stopwatch.StartNew();
        for (int step = 1; step <= total; step++) _notifier.Publish(Update(1, step));
        publishing.Stop();
        release.SetResult();
        await last.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(publishing.Elapsed < TimeSpan.FromSeconds(2), $"publishing took {publishing.Elapsed}");
        var steps = received.Select(u => ((StepMetrics)u.Event).Step).ToList();
        Assert.Equal([0, .. Enumerable.Range(total - TrainingNotifier.Capacity + 1, TrainingNotifier.Capacity)], steps);
    }

    [Fact]
    public async Task A_disposed_subscription_receives_nothing_more()
    {
        int calls = 0;
        var subscription = _notifier.Subscribe(runId: null, _ => { Interlocked.Increment(ref calls); return Task.CompletedTask; });
        subscription.Dispose();

        _notifier.Publish(Update(1, 1));
        await Task.Delay(300);

        Assert.Equal(0, calls);
    }
}
