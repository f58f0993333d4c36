using System.Data.Common;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Training;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;

namespace LoraLab.Web.Tests.Training;

public sealed class RunRecorderTests : IDisposable
{
    readonly TempDataFolder _data = new();
    readonly SaveCounter _saves = new();
    readonly IDbContextFactory<LoraLabDbContext> _db;
    readonly int _runId;

    public RunRecorderTests()
    {
        _db = TestDatabase.Create(_data.Path, _saves);
        using var db = _db.CreateDbContext();
        var run = new Run
        {
            Name = "r", MethodKind = "lora", ConfigurationJson = "{}", Owner = "local", Status = RunStatus.Running,
            BaseModel = new BaseModel { Name = "m", Folder = "/m" },
        };
        db.Add(run);
        db.SaveChanges();
        _runId = run.Id;
        _saves.Count = 0;
    }

    RunRecorder Recorder() => new(_runId, _db, Path.Combine(_data.Path, "logs", $"run-{_runId}.log"), TimeProvider.System, NullLogger.Instance);

    [Fact]
    public async Task A_checkpoint_returns_only_once_it_and_every_metric_reported_before_it_are_stored()
    {
        await using var recorder = Recorder();
        for (int step = 1; step <= 3; step++) recorder.Record(ScriptedExecutor.Step(step, 10));

        recorder.Record(new CheckpointSaved(3, Path.Combine(_data.Path, "step-3"), IsBest: true));

        using var db = _db.CreateDbContext();
        Assert.Equal([1, 2, 3], db.RunMetrics.Where(m => m.RunId == _runId).OrderBy(m => m.Step).Select(m => m.Step));
        var checkpoint = Assert.Single(db.Checkpoints);
        Assert.Equal((3, true), (checkpoint.Step, checkpoint.IsBest));
    }

    [Fact]
    public async Task Many_steps_are_written_in_a_few_transactions_not_one_per_step()
    {
        await using (var recorder = Recorder())
            for (int step = 1; step <= 1000; step++) recorder.Record(ScriptedExecutor.Step(step, 1000));

        using var db = _db.CreateDbContext();
        Assert.Equal(1000, db.RunMetrics.Count());
        Assert.InRange(_saves.Count, 1, 1000 / RunRecorder.MaxBatch + 2);
    }

    [Fact]
    public async Task A_newer_best_checkpoint_takes_the_mark_from_the_older_one()
    {
        await using (var recorder = Recorder())
        {
            recorder.Record(new CheckpointSaved(2, Path.Combine(_data.Path, "step-2"), IsBest: true));
            recorder.Record(new CheckpointSaved(4, Path.Combine(_data.Path, "step-4"), IsBest: true));
            recorder.Record(new CheckpointSaved(6, Path.Combine(_data.Path, "step-6"), IsBest: false));
        }

        using var db = _db.CreateDbContext();
        Assert.Equal([(2, false), (4, true), (6, false)], db.Checkpoints.OrderBy(c => c.Step).Select(c => new { c.Step, c.IsBest }).AsEnumerable().Select(c => (c.Step, c.IsBest)));
    }

    [Fact]
    public async Task Log_lines_are_appended_to_the_run_log_in_order()
    {
        await using (var recorder = Recorder())
        {
            recorder.Record(new LogLine("loading"));
            recorder.Record(ScriptedExecutor.Step(1, 1));
            recorder.Record(new LogLine("done"));
        }

        Assert.Equal(["loading", "done"], File.ReadAllLines(Path.Combine(_data.Path, "logs", $"run-{_runId}.log")));
    }

    sealed class SaveCounter : SaveChangesInterceptor
    {
        public int Count;

        public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Count);
            return ValueTask.FromResult(result);
        }

        public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
        {
            Interlocked.Increment(ref Count);
            return result;
        }
    }

    public void Dispose() => _data.Dispose();
}
