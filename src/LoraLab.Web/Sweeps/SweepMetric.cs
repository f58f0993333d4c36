using LoraLab.Web.Training;

namespace LoraLab.Web.Sweeps;

/// <summary>A metric a sweep ranks its runs by, read from what a finished run stores (<see cref="RunOutcome"/>); lower is better for each.</summary>
public sealed record SweepMetric(string Name, string Description, Func<RunSummary, double?> Read)
{
    public const string Default = "eval_loss";

    public static IReadOnlyList<SweepMetric> All { get; } =
    [
        new("eval_loss", "lowest validation loss (lower is better)", r => r.EvalLoss),
        new("train_loss", "final training loss (lower is better)", r => r.TrainLoss),
        new("perplexity", "validation perplexity, exp of the lowest validation loss (lower is better)", r => r.Perplexity),
    ];

    public static SweepMetric? Find(string? name) => All.FirstOrDefault(m => m.Name == name);
}
