using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Web.Components.Shared;

namespace LoraLab.Web.Components.Pages.Adapters;

/// <summary>What the rank spectrum chart draws for one module, and the sentence it says about the whole adapter.</summary>
public static class SpectrumSeries
{
    /// <summary>σ₁ … σₙ of the module's ΔW at x = 1 … n.</summary>
    public static LineSeries SingularValues(ModuleSpectrum module) =>
        new("singular value", module.SingularValues.Select((s, i) => new ChartPoint(i + 1, s)).ToList(), ChartColors.At(0));

    /// <summary>The cumulative energy in percent at x = 1 … n, with the 90 % and 99 % levels across the same range.</summary>
    public static IReadOnlyList<LineSeries> Energy(ModuleSpectrum module)
    {
        int n = module.CumulativeEnergy.Count;
        List<ChartPoint> Level(double percent) => n == 0 ? [] : [new(1, percent), new(n, percent)];
        return
        [
            new("cumulative energy %", module.CumulativeEnergy.Select((e, i) => new ChartPoint(i + 1, 100 * e)).ToList(), ChartColors.At(0)),
            new("90 %", Level(90), ChartColors.At(1)),
            new("99 %", Level(99), ChartColors.At(2)),
        ];
    }

    /// <summary>
    /// How much of r the updates use, over all modules: the largest effective rank at 99 % energy compared with r.
    /// An update that keeps 99 % of its energy in far fewer directions than r suggests that a smaller r would have done.
    /// </summary>
    public static string Verdict(AdapterSpectrum spectrum)
    {
        var trained = spectrum.Modules.Where(m => m.EffectiveRank99 > 0).ToList();
        if (trained.Count == 0) return "Every update is zero: the adapter has not been trained (B = 0).";
        int most = trained.Max(m => m.EffectiveRank99), rank = trained.Max(m => m.Rank);
        var sorted = trained.Select(m => m.EffectiveRank99).Order().ToList();
        int median = sorted[sorted.Count / 2];
        string usage = $"99 % of each update's energy lies in at most {most} of its {rank} directions (median {median}); 90 % in at most {trained.Max(m => m.EffectiveRank90)}.";
        return most * 2 <= rank
            ? $"{usage} r = {rank} looks larger than these updates need: r = {most} would hold them."
            : median == rank
                ? $"{usage} Most updates use every direction they have: a larger r might capture more."
                : usage;
    }
}
