using System.Text.Json;
using System.Text.Json.Nodes;
using LoraLab.Engine.Training;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Storage;
using LoraLab.Web.Training;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Slurm;

/// <summary>
/// Trains a run as one Slurm job: writes its resolved configuration and a batch script running <c>loralab train --json</c>
/// into the shared folder, submits it, stores the job id with the run, and follows the job's event stream into the same
/// recorder and notifier local runs report to, until Slurm says the job ended. Cancelling the run cancels the job;
/// stopping the studio leaves it running, and the next start follows it again from where the run's records end.
/// </summary>
public sealed class SlurmRunExecutor(
    SlurmClient slurm,
    IOptions<SlurmOptions> options,
    DataFolder data,
    IDbContextFactory<LoraLabDbContext> dbFactory,
    IHostApplicationLifetime lifetime,
    ILogger<SlurmRunExecutor> logger) : IClusterRunExecutor
{
    readonly SlurmOptions _options = options.Value;

    /// <summary>How long a cancelled job may take to end before the run is reported cancelled anyway.</summary>
    static readonly TimeSpan CancelGrace = TimeSpan.FromSeconds(60);

    public RunOutcome Execute(RunRequest request, IProgress<RunEvent> events, CancellationToken cancellation)
    {
        var files = SlurmJobFiles.For(_options.SharedPath ?? data.Root, request.RunId);
        JobFollower follower;
        if (ReattachableJob(request.RunId, files) is { } running)
        {
            var recorded = Recorded(request.RunId);
            File.Delete(files.Detached);
            logger.LogInformation("Run {RunId} follows its Slurm job {JobId} again.", request.RunId, running);
            events.Report(new LogLine($"Reattached to Slurm job {running}; its events after step {recorded.LastStep} are recorded."));
            follower = new JobFollower(running, files, events, recorded).Showing(Shown(request.RunId, running));
        }
        else
        {
            var submitted = Submit(request, files, events, cancellation);
            follower = new JobFollower(submitted.JobId, files, events, recorded: null).Showing(submitted);
        }

        var job = Follow(request, follower, cancellation);
        return Outcome(request, follower, job);
    }

    /// <summary>Submits the run's job; returns what the run shows of it, stored and announced.</summary>
    SlurmJobChanged Submit(RunRequest request, SlurmJobFiles files, IProgress<RunEvent> events, CancellationToken cancellation)
    {
        files.Reset();
        File.WriteAllText(files.Configuration, ResolvedConfiguration(request).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.WriteAllText(files.Script, SlurmJobScript.Render(request, _options, files));

        string jobId = slurm.SubmitAsync(files.Script, SlurmJobScript.Arguments(request, _options, files, request.TrainingSettings.MemoryEstimate(request.BaseModelFolder)), cancellation).GetAwaiter().GetResult();
        // A job Slurm just took is pending until its scheduler looks at it.
        var shown = new SlurmJobChanged(jobId, Node: null, SlurmPendingReasons.None);
        Show(request.RunId, shown, events);
        logger.LogInformation("Run {RunId} was submitted as Slurm job {JobId}.", request.RunId, jobId);
        events.Report(new LogLine(request.ResumeFromCheckpointFolder is null
            ? $"Submitted as Slurm job {jobId}."
            : $"Submitted as Slurm job {jobId}, resuming from the checkpoint of step {request.ResumeFromStep}."));
        return shown;
    }

    /// <summary>
    /// The run's job to follow again rather than submit a new one: the one the studio left running when it stopped, or
    /// the run's job when Slurm still has it pending or running (the studio was killed without stopping).
    /// </summary>
    public string? ReattachableJob(int runId, SlurmJobFiles files)
    {
        using var db = dbFactory.CreateDbContext();
        string? jobId = db.Runs.Where(r => r.Id == runId).Select(r => r.SlurmJobId).FirstOrDefault();
        if (jobId is null) return null;
        if (files.DetachedJobId() == jobId) return jobId;
        var job = slurm.JobAsync(jobId, CancellationToken.None).GetAwaiter().GetResult();
        return job is { IsFinished: false } ? jobId : null;
    }

    /// <summary>What the run showed of its job when the studio stopped, so a job Slurm has forgotten since keeps its node.</summary>
    SlurmJobChanged Shown(int runId, string jobId)
    {
        using var db = dbFactory.CreateDbContext();
        var run = db.Runs.Where(r => r.Id == runId).Select(r => new { r.SlurmNode, r.SlurmPendingReason }).Single();
        return new SlurmJobChanged(jobId, run.SlurmNode, run.SlurmPendingReason);
    }

    RecordedProgress Recorded(int runId)
    {
        using var db = dbFactory.CreateDbContext();
        var metrics = db.RunMetrics.Where(m => m.RunId == runId);
        int lastStep = metrics.Where(m => m.Kind == MetricKind.Train).Max(m => (int?)m.Step) ?? 0;
        int lastEvaluation = metrics.Where(m => m.Kind == MetricKind.Eval).Max(m => (int?)m.Step) ?? 0;
        var checkpoints = db.Checkpoints.Where(c => c.RunId == runId).Select(c => c.Step).ToHashSet();
        return new RecordedProgress(lastStep, lastEvaluation, checkpoints);
    }

    /// <summary>Reads the job's events and state until it ends; a cancelled run cancels the job and waits for it to end.</summary>
    SlurmJob? Follow(RunRequest request, JobFollower follower, CancellationToken cancellation)
    {
        while (true)
        {
            if (cancellation.IsCancellationRequested && lifetime.ApplicationStopping.IsCancellationRequested)
            {
                // The job trains on without the studio, which follows it again when it starts (SlurmStartup).
                File.WriteAllText(follower.Files.Detached, follower.JobId);
                follower.Events.Report(new LogLine($"The studio stops; Slurm job {follower.JobId} keeps running and is followed again at the next start."));
                throw new OperationCanceledException(cancellation);
            }
            if (cancellation.IsCancellationRequested)
            {
                slurm.CancelAsync(follower.JobId, CancellationToken.None).GetAwaiter().GetResult();
                follower.Events.Report(new LogLine($"Cancelled Slurm job {follower.JobId} (scancel)."));
                WaitForEnd(request.RunId, follower);
                throw new OperationCanceledException(cancellation);
            }
            follower.ReadEvents();
            SlurmJob? job;
            try
            {
                job = slurm.JobAsync(follower.JobId, CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (SlurmCommandException e)
            {
                // slurmctld restarting or busy: the job trains on, and its events are still followed meanwhile.
                if (follower.NoteUnreachable(e.Message)) logger.LogWarning("Slurm job {JobId}'s state could not be read: {Error}", follower.JobId, e.Message);
                cancellation.WaitHandle.WaitOne(_options.PollInterval);
                continue;
            }
            Observe(request.RunId, follower, job);
            if (job is null || job.IsFinished)
            {
                follower.ReadEvents();
                return job;
            }
            cancellation.WaitHandle.WaitOne(_options.PollInterval);
        }
    }

    /// <summary>
    /// Waits until Slurm says the cancelled job ended and, when it had started, until loralab printed its last event:
    /// Slurm reports CANCELLED as soon as it signalled the job, while loralab still stops at its next step and writes
    /// into the run's folder, and the run must not end (and be resumed into that folder) before it is done.
    /// </summary>
    void WaitForEnd(int runId, JobFollower follower)
    {
        var deadline = DateTime.UtcNow + CancelGrace;
        while (DateTime.UtcNow < deadline)
        {
            follower.ReadEvents();
            var job = slurm.JobAsync(follower.JobId, CancellationToken.None).GetAwaiter().GetResult();
            Observe(runId, follower, job);
            bool started = job?.Node is not null || File.Exists(follower.Files.Events);
            if ((job is null || job.IsFinished) && (!started || follower.Translator.Finished is not null || File.Exists(follower.Files.ExitCode))) return;
            Thread.Sleep(_options.PollInterval);
        }
        logger.LogWarning("Slurm job {JobId} had not ended {Seconds} s after scancel.", follower.JobId, CancelGrace.TotalSeconds);
    }

    /// <summary>Slurm's final state → the run's: completed with its adapter, interrupted (resumable), or failed with the job's log.</summary>
    RunOutcome Outcome(RunRequest request, JobFollower follower, SlurmJob? job)
    {
        string id = follower.JobId;
        // Slurm forgets a job MinJobAge after it ended; the exit code the script recorded then tells how it went.
        string state = job?.State ?? (follower.Files.RecordedExitCode() == 0 ? "COMPLETED" : "FAILED");
        var finished = follower.Translator.Finished;
        if (job?.WasInterrupted == true)
            throw new RunInterruptedException($"Slurm job {id} ended {job.State}{(job.Node is null ? "" : $" on {job.Node}")}; resume the run to continue from its last checkpoint.");
        if (state == "CANCELLED")
            throw new InvalidOperationException($"Slurm job {id} was cancelled outside the studio.");
        if (state != "COMPLETED" || finished is null || (string?)finished["status"] == "cancelled")
        {
            int? exitCode = job?.ExitCode ?? follower.Files.RecordedExitCode();
            throw new InvalidOperationException($"Slurm job {id} ended {state}" + (exitCode is { } code ? $" with exit code {code}" : "") +
                $"; the end of its log ({follower.Files.Log}):\n{follower.Files.LogTail()}");
        }

        string adapter = (string?)finished["best_adapter"] ?? (string?)finished["adapter"]
            ?? throw new InvalidOperationException($"Slurm job {id} completed without naming its adapter.");
        if (!File.Exists(Path.Combine(adapter, "adapter_config.json")))
            throw new InvalidOperationException($"Slurm job {id} completed, but its adapter folder {adapter} holds no adapter_config.json; is {data.Root} the same folder on the node?");
        MoveAdapter(adapter, request.AdapterFolder);

        double? bestEval = (double?)finished["best_eval_loss"];
        double elapsed = Math.Max((double?)finished["elapsed_seconds"] ?? 0, 1e-9);
        follower.Events.Report(new LogLine($"Slurm job {id} completed after {(long?)finished["steps"]} steps; adapter saved" +
            ((string?)finished["best_adapter"] is null ? "." : $" from the best evaluation (step {(long?)finished["best_step"]}).")));
        return new RunOutcome((double?)finished["final_loss"], bestEval, bestEval is { } loss ? Math.Exp(loss) : null,
            ((long?)finished["input_tokens"] ?? 0) / elapsed);
    }

    /// <summary>The run's method, training and data sections as the engine resolves them, which loralab train --config reads back.</summary>
    static JsonObject ResolvedConfiguration(RunRequest request) => FineTuningRun.Describe(new FineTuningRequest(
        request.BaseModelFolder, request.DatasetFile, EvalData: null, request.TrainingSettings.Method, request.TrainingSettings.Training,
        request.TrainingSettings.Data, request.OutputFolder, request.ResumeFromCheckpointFolder));

    void Observe(int runId, JobFollower follower, SlurmJob? job)
    {
        if (follower.Observe(job) is { } shown) Show(runId, shown, follower.Events);
    }

    /// <summary>Stores what the run shows of its job, then announces it, so that whoever hears of it reads it back stored.</summary>
    void Show(int runId, SlurmJobChanged shown, IProgress<RunEvent> events)
    {
        using (var db = dbFactory.CreateDbContext())
            db.Runs.Where(r => r.Id == runId).ExecuteUpdate(s => s.SetProperty(r => r.SlurmJobId, shown.JobId)
                .SetProperty(r => r.SlurmNode, shown.Node).SetProperty(r => r.SlurmPendingReason, shown.PendingReason));
        events.Report(shown);
    }

    static void MoveAdapter(string from, string to)
    {
        if (Directory.Exists(to)) Directory.Delete(to, recursive: true);
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        Directory.Move(from, to);
    }

    /// <summary>One job's event stream and state changes, announced as log lines when they change.</summary>
    sealed class JobFollower(string jobId, SlurmJobFiles files, IProgress<RunEvent> events, RecordedProgress? recorded)
    {
        readonly EventFileTail _tail = new(files.Events);
        string? _state, _reason;
        SlurmJobChanged? _shown;
        bool _unreachable;

        public string JobId => jobId;
        public SlurmJobFiles Files => files;
        public IProgress<RunEvent> Events => events;
        public SlurmEventTranslator Translator { get; } = new(events, recorded);

        public void ReadEvents()
        {
            foreach (string line in _tail.ReadNewLines()) Translator.Translate(line);
        }

        /// <summary>Announces that the job's state cannot be read, once until it can again; true when announced.</summary>
        public bool NoteUnreachable(string error)
        {
            if (_unreachable) return false;
            _unreachable = true;
            events.Report(new LogLine($"Slurm job {jobId}'s state cannot be read ({error}); the studio keeps trying."));
            return true;
        }

        /// <summary>Announces a new state or reason in the log; returns what the run shows of its job when that changed.</summary>
        public SlurmJobChanged? Observe(SlurmJob? job)
        {
            _unreachable = false;
            if (job is not null && (job.State != _state || job.Reason != _reason))
            {
                (_state, _reason) = (job.State, job.Reason);
                events.Report(new LogLine(job switch
                {
                    { IsPending: true } => $"Slurm job {jobId} is {job.State}" + (job.Reason is null ? "." : $": {job.Reason}."),
                    { State: "RUNNING" } => $"Slurm job {jobId} runs on {job.Node}.",
                    _ => $"Slurm job {jobId} is {job.State}" + (job.Reason is null ? "." : $" ({job.Reason})."),
                }));
            }
            var shown = SlurmJobDisplay.Of(jobId, job, _shown);
            if (shown == _shown) return null;
            return _shown = shown;
        }

        /// <summary>What the run shows of its job now: as submitted, or as stored before the studio stopped.</summary>
        public JobFollower Showing(SlurmJobChanged shown)
        {
            _shown = shown;
            return this;
        }
    }
}
