namespace LoraLab.Engine.Training;

/// <summary>
/// Learning-rate multipliers as pure functions of the optimizer step, with the formulas of transformers'
/// get_constant_schedule_with_warmup, get_linear_schedule_with_warmup and get_cosine_schedule_with_warmup (half a cycle).
/// Step k is the number of optimizer steps already taken, so the first step of a warm-up runs at multiplier 0, as there.
/// </summary>
public static class LearningRateSchedules
{
    public static double Multiplier(LearningRateSchedule schedule, long step, long warmupSteps, long totalSteps)
    {
        if (step < warmupSteps) return (double)step / Math.Max(1, warmupSteps);
        return schedule switch
        {
            LearningRateSchedule.Constant => 1.0,
            LearningRateSchedule.Linear => Math.Max(0.0, (double)(totalSteps - step) / Math.Max(1, totalSteps - warmupSteps)),
            LearningRateSchedule.Cosine => Math.Max(0.0, 0.5 * (1.0 + Math.Cos(Math.PI * 2.0 * 0.5 * Progress(step, warmupSteps, totalSteps)))),
            _ => throw new ArgumentOutOfRangeException(nameof(schedule), schedule, "Unknown learning-rate schedule."),
        };
    }

    /// <summary>transformers' get_warmup_steps: explicit steps win, otherwise ⌈ratio · total⌉.</summary>
    public static long WarmupSteps(int? warmupSteps, double warmupRatio, long totalSteps) =>
        warmupSteps ?? (long)Math.Ceiling(totalSteps * warmupRatio);

    static double Progress(long step, long warmupSteps, long totalSteps) =>
        (double)(step - warmupSteps) / Math.Max(1, totalSteps - warmupSteps);
}
