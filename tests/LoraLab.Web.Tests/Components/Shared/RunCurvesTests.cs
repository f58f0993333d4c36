using LoraLab.Web.Components.Shared;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Training;

namespace LoraLab.Web.Tests.Components.Shared;

public sealed class RunCurvesTests
{
    [Fact]
    public void Stored_points_split_into_training_and_evaluation_curves()
    {
        var curves = RunCurves.From(
        [
            new MetricPoint(1, MetricKind.Train, 2.0, 1e-4, 0.9, 500, 1),
            new MetricPoint(2, MetricKind.Train, 1.5, 2e-4, null, 510, 2),
            new MetricPoint(2, MetricKind.Eval, 1.7, null, null, null, 2.5),
        ]);

        Assert.Equal([new ChartPoint(1, 2.0), new ChartPoint(2, 1.5)], curves.TrainLoss);
        Assert.Equal([new ChartPoint(2, 1.7)], curves.EvalLoss);
        Assert.Equal([new ChartPoint(1, 0.9)], curves.GradNorm);
        Assert.Equal(2, curves.Step);
    }

    [Fact]
    public void A_step_reported_again_replaces_the_points_from_that_step_on()
    {
        var curves = new RunCurves();
        foreach (int step in new[] { 1, 2, 3, 4, 3 })
            curves.Apply(new StepMetrics(step, 10, step * 0.1, 1e-4, 1, 100, step));

        Assert.Equal([1.0, 2.0, 3.0], curves.TrainLoss.Select(p => p.X));
        Assert.Equal(0.3, curves.TrainLoss[^1].Y, 10);
    }

    [Fact]
    public void Progress_and_time_left_follow_the_pace_of_the_latest_step()
    {
        var curves = new RunCurves();

        curves.Apply(new StepMetrics(25, 100, 1.0, 1e-4, 1, 100, ElapsedSeconds: 50));

        Assert.Equal(0.25, curves.Progress);
        Assert.Equal(TimeSpan.FromSeconds(150), curves.Remaining); // 2 s a step, 75 steps left
    }
}
