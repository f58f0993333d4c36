using System.Threading.Channels;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace LoraLab.Web.Training;

/// <summary>
/// Stores one run's events: metrics and checkpoints in the database, log lines in the run's log file. Events are
/// written in batches (one transaction per <see cref="FlushInterval"/> or <see cref="MaxBatch"/> events), except that
/// a checkpoint flushes at once and <see cref="Record"/> returns only when it is stored, so every metric reported
/// before a checkpoint is durable when the trainer moves past it.
/// </summary>
public sealed class RunRecorder : IAsyncDisposable
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);
    public const int MaxBatch = 512;

    readonly int _runId;
    readonly IDbContextFactory<LoraLabDbContext> _dbFactory;
    readonly string _logFile;
    readonly TimeProvider _clock;
    readonly ILogger _logger;
    readonly Channel<Pending> _pending = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    readonly Task _writer;

    public RunRecorder(int runId, IDbContextFactory<LoraLabDbContext> dbFactory, string logFile, TimeProvider clock, ILogger logger)
    {
        (_runId, _dbFactory, _logFile, _clock, _logger) = (runId, dbFactory, logFile, clock, logger);
        _writer = Task.Run(WriteAsync);
    }

    /// <summary>Queues the event for storage; for a <see cref="CheckpointSaved"/>, waits until it and everything before it are stored.</summary>
    public void Record(RunEvent runEvent)
    {
        if (runEvent is not CheckpointSaved)
        {
            _pending.Writer.TryWrite(new Pending(runEvent, null));
            return;
        }
        var stored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.Writer.TryWrite(new Pending(runEvent, stored)))
            throw new InvalidOperationException($"Run {_runId} reported a checkpoint after its recorder was closed.");
        stored.Task.GetAwaiter().GetResult();
    }

    /// <summary>Stores what is still pending and stops accepting events.</summary>
    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _writer;
    }

    async Task WriteAsync()
    {
        var reader = _pending.Reader;
        while (await reader.WaitToReadAsync())
        {
            var batch = await CollectBatchAsync(reader);
            try
            {
                await StoreAsync(batch);
                foreach (var p in batch) p.Stored?.TrySetResult();
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Could not store {Count} events of run {RunId}.", batch.Count, _runId);
                foreach (var p in batch)
                    p.Stored?.TrySetException(new IOException($"The checkpoint of run {_runId} could not be recorded: {e.Message}", e));
            }
        }
    }

    /// <summary>Gathers events until a checkpoint arrives, the batch is full, the interval passes, or the recorder closes.</summary>
    async Task<List<Pending>> CollectBatchAsync(ChannelReader<Pending> reader)
    {
        var batch = new List<Pending>();
        long started = _clock.GetTimestamp();
        while (true)
        {
            while (reader.TryRead(out var pending))
            {
                batch.Add(pending);
                if (pending.Stored is not null || batch.Count >= MaxBatch) return batch;
            }
            var remaining = FlushInterval - _clock.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero) return batch;
            using var timeout = new CancellationTokenSource(remaining, _clock);
            try
            {
                if (!await reader.WaitToReadAsync(timeout.Token)) return batch;
            }
            catch (OperationCanceledException)
            {
                return batch;
            }
        }
    }

    async Task StoreAsync(List<Pending> batch)
    {
        var lines = batch.Select(p => p.Event).OfType<LogLine>().Select(l => l.Text).ToList();
        if (lines.Count > 0)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_logFile)!);
            await File.AppendAllLinesAsync(_logFile, lines);
        }
        if (batch.All(p => p.Event is LogLine)) return;

        await using var db = await _dbFactory.CreateDbContextAsync();
        foreach (var runEvent in batch.Select(p => p.Event))
        {
            switch (runEvent)
            {
                case StepMetrics s:
                    db.RunMetrics.Add(new RunMetric
                    {
                        RunId = _runId, Step = s.Step, Kind = MetricKind.Train, Loss = s.Loss, LearningRate = s.LearningRate,
                        GradNorm = s.GradNorm, TokensPerSecond = s.TokensPerSecond, ElapsedSeconds = s.ElapsedSeconds,
                    });
                    break;
                case EvaluationMetrics e:
                    db.RunMetrics.Add(new RunMetric { RunId = _runId, Step = e.Step, Kind = MetricKind.Eval, Loss = e.Loss, ElapsedSeconds = e.ElapsedSeconds });
                    break;
                case CheckpointSaved c:
                    await StoreCheckpointAsync(db, c);
                    break;
            }
        }
        await db.SaveChangesAsync();
    }

    async Task StoreCheckpointAsync(LoraLabDbContext db, CheckpointSaved saved)
    {
        // Saving the same step again (a run resumed from an earlier checkpoint) replaces the old record.
        var existing = await db.Checkpoints.Where(c => c.RunId == _runId).ToListAsync();
        if (existing.FirstOrDefault(c => c.Step == saved.Step) is { } replaced) db.Checkpoints.Remove(replaced);
        if (saved.IsBest)
            foreach (var other in existing) other.IsBest = false;
        db.Checkpoints.Add(new Checkpoint
        {
            RunId = _runId, Step = saved.Step, Path = Path.GetFullPath(saved.Folder), CreatedAt = _clock.GetUtcNow().UtcDateTime, IsBest = saved.IsBest,
        });
    }

    sealed record Pending(RunEvent Event, TaskCompletionSource? Stored);
}
