using LoraLab.Web.Adapters;
using LoraLab.Web.Evaluations;

namespace LoraLab.Web.Tests.Evaluations;

public sealed class LeaderboardRowsTests
{
    static AdapterSummary Adapter(int id, string name) => new(id, name, null, 1, "base", "lora", 4, null, "/a", 0, DateTime.UnixEpoch, null, "local", "local");

    static EvaluationSummary Scored(int? adapterId, double exactMatch, double bleu) =>
        new(adapterId ?? 0, 1, adapterId, adapterId is null ? "base" : $"a{adapterId}", 1, "d", 4, exactMatch, 0, 0, 0, 0, bleu, null, null, 1, DateTime.UnixEpoch, "local");

    [Theory]
    [InlineData(LeaderboardColumn.ExactMatch, true, new[] { 2, 1 })]
    [InlineData(LeaderboardColumn.ExactMatch, false, new[] { 1, 2 })]
    [InlineData(LeaderboardColumn.Bleu, true, new[] { 1, 2 })]
    public void The_baseline_comes_first_then_evaluated_adapters_in_the_chosen_order_then_the_others(LeaderboardColumn column, bool descending, int[] evaluatedOrder)
    {
        var adapters = new[] { Adapter(1, "one"), Adapter(2, "two"), Adapter(3, "three") };
        var evaluations = new[] { Scored(2, 0.9, 10), Scored(null, 0.95, 50), Scored(1, 0.5, 30) };

        var rows = LeaderboardRows.Build(adapters, evaluations, column, descending);

        Assert.Equal<int?>([null, .. evaluatedOrder.Select(i => (int?)i), 3], rows.Select(r => r.AdapterId));
        Assert.Equal(0.95, rows[0].Evaluation!.ExactMatch);
        Assert.Null(rows[3].Evaluation);
    }
}
