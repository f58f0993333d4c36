namespace LoraLab.Web.Training;

/// <summary>
/// What the executor reports to, on its own thread: the recorder stores each event (a checkpoint waits until it is
/// stored), then the notifier hands it to subscribers without waiting for them.
/// </summary>
sealed class RunProgress(int runId, RunRecorder recorder, TrainingNotifier notifier) : IProgress<RunEvent>
{
    public void Report(RunEvent value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value is StatusChanged)
            throw new ArgumentException("Status changes are the training service's to report; report a phase as a LogLine.", nameof(value));
        recorder.Record(value);
        notifier.Publish(new RunUpdate(runId, value));
    }
}
