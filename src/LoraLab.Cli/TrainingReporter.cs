using LoraLab.Engine.Training;

namespace LoraLab.Cli;

/// <summary>
/// Shows a run's events: with --json one JSON object per event on stdout; otherwise a live progress line on a
/// terminal (stderr), evaluations and checkpoints as lines of their own, and a summary at the end.
/// </summary>
sealed class TrainingReporter(bool json) : IProgress<TrainingEvent>, IDisposable
{
    readonly object gate = new();
    bool lineOpen;

    public void Report(TrainingEvent e)
    {
        lock (gate)
        {
            if (json)
            {
                JsonOutput.Print(Describe(e));
                return;
            }
            switch (e)
            {
                case StepEvent s:
                    const int width = 24;
                    int filled = (int)(width * Math.Min(1.0, (double)s.Step / Math.Max(1, s.TotalSteps)));
                    string line = $"step {s.Step}/{s.TotalSteps} [{new string('#', filled)}{new string('.', width - filled)}] loss {s.Loss:F4} lr {s.LearningRate:G3} " +
                                  $"grad {s.GradNorm:F2} {s.TokensPerSecond:F0} tok/s eta {s.Eta:hh\\:mm\\:ss}";
                    if (Console.IsErrorRedirected) { if (s.Step % 10 == 0 || s.Step == s.TotalSteps) Console.Error.WriteLine(line); }
                    else { Console.Error.Write("\r" + line.PadRight(110)); lineOpen = true; }
                    break;
                case EvaluationEvent ev:
                    CloseLine();
                    Console.Error.WriteLine($"eval at step {ev.Step}: loss {ev.Loss:F4} perplexity {ev.Perplexity:F2}{(ev.IsBest ? " (best)" : "")}");
                    break;
                case CheckpointEvent c:
                    CloseLine();
                    Console.Error.WriteLine($"checkpoint at step {c.Step}: {c.Path}");
                    break;
            }
        }
    }

    public void Preparation(RunPreparation p)
    {
        if (json) { JsonOutput.Print(new { @event = "prepared", train_examples = p.TrainExamples, eval_examples = p.EvalExamples, trainable_parameters = p.TrainableParameters, total_parameters = p.TotalParameters, trainable_percent = p.TrainablePercent, total_steps = p.TotalSteps, skipped_records = p.Report.Issues.Count }); return; }
        Console.Error.WriteLine($"{p.TrainExamples} training and {p.EvalExamples} evaluation examples ({p.Report.Issues.Count} records skipped); " +
                                $"trainable parameters {p.TrainableParameters:N0} of {p.TotalParameters:N0} ({p.TrainablePercent:F3}%); {p.TotalSteps} steps");
        foreach (var issue in p.Report.Issues.Take(10)) Console.Error.WriteLine($"  skipped: {p.Report.Describe(issue)}");
    }

    public void Finish(TrainingResult result)
    {
        lock (gate)
        {
            CloseLine();
            if (json) { JsonOutput.Print(Describe(new TrainingFinishedEvent(result))); return; }
            Console.Error.WriteLine($"{result.Status.ToString().ToLowerInvariant()} after {result.Steps} steps in {result.Elapsed:hh\\:mm\\:ss}; final loss {result.FinalLoss:F4}" +
                                    (result.BestEvalLoss is { } best ? $", best eval loss {best:F4} at step {result.BestStep}" : ""));
            Console.Error.WriteLine($"adapter: {result.AdapterDirectory}");
        }
    }

    void CloseLine()
    {
        if (!lineOpen) return;
        Console.Error.WriteLine();
        lineOpen = false;
    }

    static object Describe(TrainingEvent e) => e switch
    {
        StepEvent s => new { @event = "step", step = s.Step, total_steps = s.TotalSteps, epoch = s.Epoch, loss = s.Loss, learning_rate = s.LearningRate, grad_norm = s.GradNorm, skipped = s.Skipped, tokens_per_second = s.TokensPerSecond, elapsed_seconds = s.Elapsed.TotalSeconds, eta_seconds = s.Eta?.TotalSeconds, resident_bytes = s.ResidentBytes },
        EvaluationEvent ev => new { @event = "evaluation", step = ev.Step, loss = ev.Loss, perplexity = ev.Perplexity, tokens = ev.Tokens, is_best = ev.IsBest },
        CheckpointEvent c => new { @event = "checkpoint", step = c.Step, path = c.Path, is_best = c.IsBest },
        TrainingFinishedEvent f => new { @event = "finished", status = f.Result.Status.ToString().ToLowerInvariant(), steps = f.Result.Steps, final_loss = f.Result.FinalLoss, best_eval_loss = f.Result.BestEvalLoss, best_step = f.Result.BestStep, adapter = f.Result.AdapterDirectory, best_adapter = f.Result.BestAdapterDirectory, input_tokens = f.Result.InputTokens, last_checkpoint = f.Result.LastCheckpoint, elapsed_seconds = f.Result.Elapsed.TotalSeconds },
        _ => new { @event = e.GetType().Name },
    };

    public void Dispose() => CloseLine();
}
