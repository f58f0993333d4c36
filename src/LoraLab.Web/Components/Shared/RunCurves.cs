using LoraLab.Web.Data.Entities;
using LoraLab.Web.Training;

namespace LoraLab.Web.Components.Shared;

/// <summary>
/// A run's curves as pages draw them: the stored metrics first, then the notifier's live events appended. A step
/// that arrives again (a resumed run retrains the steps after its checkpoint) replaces the points from there on.
/// </summary>
public sealed class RunCurves
{
    readonly List<ChartPoint> _trainLoss = [], _evalLoss = [], _learningRate = [], _gradNorm = [], _tokensPerSecond = [];

    public IReadOnlyList<ChartPoint> TrainLoss => _trainLoss;
    public IReadOnlyList<ChartPoint> EvalLoss => _evalLoss;
    public IReadOnlyList<ChartPoint> LearningRate => _learningRate;
    public IReadOnlyList<ChartPoint> GradNorm => _gradNorm;
    public IReadOnlyList<ChartPoint> TokensPerSecond => _tokensPerSecond;

    /// <summary>The latest step reported live, with the planned total; null until the executor reports a step in this page's lifetime.</summary>
    public StepMetrics? LastStep { get; private set; }

    public int Step => (int)(LastStep?.Step ?? _trainLoss.LastOrDefault().X);

    /// <summary>Progress between 0 and 1, when the total is known.</summary>
    public double? Progress => LastStep is { TotalSteps: > 0 } s ? Math.Clamp((double)s.Step / s.TotalSteps, 0, 1) : null;

    /// <summary>Time left at the pace so far, when the total is known.</summary>
    public TimeSpan? Remaining => LastStep is { Step: > 0, TotalSteps: > 0 } s
        ? TimeSpan.FromSeconds(s.ElapsedSeconds / s.Step * Math.Max(0, s.TotalSteps - s.Step))
        : null;

    public static RunCurves From(IEnumerable<MetricPoint> points)
    {
        var curves = new RunCurves();
        foreach (var p in points)
        {
            if (p.Kind == MetricKind.Eval) curves.AddEval(p.Step, p.Loss);
            else curves.AddTrain(p.Step, p.Loss, p.LearningRate, p.GradNorm, p.TokensPerSecond);
        }
        return curves;
    }

    /// <summary>Takes a step or evaluation; true when a curve changed.</summary>
    public bool Apply(RunEvent runEvent)
    {
        switch (runEvent)
        {
            case StepMetrics s:
                LastStep = s;
                AddTrain(s.Step, s.Loss, s.LearningRate, s.GradNorm, s.TokensPerSecond);
                return true;
            case EvaluationMetrics e:
                AddEval(e.Step, e.Loss);
                return true;
            default:
                return false;
        }
    }

    void AddTrain(int step, double loss, double? learningRate, double? gradNorm, double? tokensPerSecond)
    {
        foreach (var curve in new[] { _trainLoss, _learningRate, _gradNorm, _tokensPerSecond }) DropFrom(curve, step);
        _trainLoss.Add(new(step, loss));
        if (learningRate is { } lr) _learningRate.Add(new(step, lr));
        if (gradNorm is { } norm) _gradNorm.Add(new(step, norm));
        if (tokensPerSecond is { } tps) _tokensPerSecond.Add(new(step, tps));
    }

    void AddEval(int step, double loss)
    {
        DropFrom(_evalLoss, step);
        _evalLoss.Add(new(step, loss));
    }

    static void DropFrom(List<ChartPoint> curve, int step)
    {
        int keep = curve.Count;
        while (keep > 0 && curve[keep - 1].X >= step) keep--;
        if (keep < curve.Count) curve.RemoveRange(keep, curve.Count - keep);
    }
}
