namespace LoraLab.Web.Training;

/// <summary>
/// Trains one run to the end. Called on a dedicated thread, one run at a time per worker; the web layer holds no
/// tensor code, so the implementation lives with the engine's trainer.
/// </summary>
/// <remarks>
/// The contract:
/// <list type="bullet">
/// <item>Report every optimizer step, evaluation, saved checkpoint and log line through <c>events</c>. Reporting
/// never blocks for long, except <see cref="CheckpointSaved"/>, which returns once everything reported before it is
/// stored, so a checkpoint on disk never runs ahead of its metrics.</item>
/// <item>Write checkpoints into <see cref="RunRequest.CheckpointsFolder"/> (one folder per step), and the trained
/// adapter into <see cref="RunRequest.AdapterFolder"/> in PEFT layout before returning.</item>
/// <item>When <see cref="RunRequest.ResumeFromCheckpointFolder"/> is set, continue from that checkpoint's step.</item>
/// <item>Honour <c>cancellation</c> between steps by throwing <see cref="OperationCanceledException"/>; throw any other
/// exception, with a message naming what is wrong, to fail the run.</item>
/// </list>
/// </remarks>
public interface IRunExecutor
{
    RunOutcome Execute(RunRequest request, IProgress<RunEvent> events, CancellationToken cancellation);
}
