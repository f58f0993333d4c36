using System.Globalization;
using System.Text.Json.Nodes;
using LoraLab.Web.Training;

namespace LoraLab.Web.Slurm;

/// <summary>
/// loralab train --json's event lines → the studio's run events, as <see cref="EngineRunExecutor"/> reports them for a
/// local run: steps, evaluations, resumable checkpoints, and log lines for the preparation and the best adapter. The
/// "finished" event is kept for the run's outcome. After a reattach, the events <paramref name="recorded"/> already
/// holds are skipped.
/// </summary>
public sealed class SlurmEventTranslator(IProgress<RunEvent> events, RecordedProgress? recorded = null)
{
    /// <summary>The "finished" event, once loralab printed it.</summary>
    public JsonObject? Finished { get; private set; }

    /// <summary>The elapsed seconds of the last step, for the events that carry none of their own.</summary>
    double _elapsed;

    public void Translate(string line)
    {
        if (line.Trim().Length == 0) return;
        JsonObject e;
        try
        {
            e = JsonNode.Parse(line) as JsonObject ?? throw new FormatException();
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException)
        {
            // Anything else on stdout (a library's warning) is shown, not lost.
            events.Report(new LogLine(line));
            return;
        }
        switch ((string?)e["event"])
        {
            case "prepared" when recorded is not null:
                break;
            case "step" when (int)e["step"]! <= recorded?.LastStep:
                _elapsed = (double?)e["elapsed_seconds"] ?? _elapsed;
                break;
            case "evaluation" when (int)e["step"]! <= recorded?.LastEvaluationStep:
                break;
            case "checkpoint" when (bool?)e["is_best"] == true && (int)e["step"]! <= recorded?.LastEvaluationStep:
                break;
            case "checkpoint" when (bool?)e["is_best"] != true && recorded?.CheckpointSteps.Contains((int)e["step"]!) == true:
                break;
            case "prepared":
                events.Report(new LogLine(Invariant($"{(int?)e["train_examples"]} training and {(int?)e["eval_examples"]} evaluation examples ({(int?)e["skipped_records"]} records skipped); ") +
                    Invariant($"trainable parameters {(long?)e["trainable_parameters"]:N0} of {(long?)e["total_parameters"]:N0} ({(double?)e["trainable_percent"]:F3}%); {(long?)e["total_steps"]} steps.")));
                break;
            case "step":
                _elapsed = (double?)e["elapsed_seconds"] ?? _elapsed;
                events.Report(new StepMetrics((int)e["step"]!, (int)e["total_steps"]!, (double)e["loss"]!, (double)e["learning_rate"]!,
                    (double?)e["grad_norm"], (double?)e["tokens_per_second"] ?? 0, _elapsed));
                break;
            case "evaluation":
                events.Report(new EvaluationMetrics((int)e["step"]!, (double)e["loss"]!, (double)e["perplexity"]!, _elapsed));
                break;
            case "checkpoint" when (bool?)e["is_best"] == true:
                events.Report(new LogLine(Invariant($"Best evaluation so far at step {(int)e["step"]!}; its adapter is kept.")));
                break;
            case "checkpoint":
                events.Report(new CheckpointSaved((int)e["step"]!, (string)e["path"]!, IsBest: false));
                break;
            case "finished":
                // loralab prints the finished event twice (the trainer's and the command's summary); the first one counts.
                Finished ??= e;
                break;
        }
    }

    static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
