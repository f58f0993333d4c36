using LoraLab.Web.Adapters;
using LoraLab.Web.Playground;

namespace LoraLab.Web.Evaluations;

/// <summary>A leaderboard row: the baseline or an adapter of the base model, with its evaluation once it has one.</summary>
public sealed record LeaderboardRow(int? AdapterId, string Name, EvaluationSummary? Evaluation)
{
    public bool IsBaseline => AdapterId is null;
}

/// <summary>
/// The rows of a leaderboard: the baseline first whatever the order, then every adapter of the base model, evaluated
/// ones by the chosen metric (names break ties), those not evaluated yet last.
/// </summary>
public static class LeaderboardRows
{
    public static IReadOnlyList<LeaderboardRow> Build(IReadOnlyList<AdapterSummary> adaptersOfBase, IReadOnlyList<EvaluationSummary> evaluations,
        LeaderboardColumn sortBy = LeaderboardColumn.ExactMatch, bool descending = true)
    {
        var byAdapter = evaluations.Where(e => e.AdapterId is not null).ToDictionary(e => e.AdapterId!.Value);
        var baseline = new LeaderboardRow(null, PlaygroundVoteStore.BaseModelColumnName, evaluations.FirstOrDefault(e => e.IsBaseline));
        var adapters = adaptersOfBase.Select(a => new LeaderboardRow(a.Id, a.Name, byAdapter.GetValueOrDefault(a.Id))).ToList();
        var evaluated = adapters.Where(r => r.Evaluation is not null);
        var metric = sortBy == LeaderboardColumn.Name ? null : EvaluationMetric.Of(sortBy);
        var ordered = sortBy == LeaderboardColumn.Name
            ? (descending ? evaluated.OrderByDescending(r => r.Name, StringComparer.Ordinal) : evaluated.OrderBy(r => r.Name, StringComparer.Ordinal))
            : (descending ? evaluated.OrderByDescending(r => metric!.ValueOf(r.Evaluation!)) : evaluated.OrderBy(r => metric!.ValueOf(r.Evaluation!)))
                .ThenBy(r => r.Name, StringComparer.Ordinal);
        return [baseline, .. ordered, .. adapters.Where(r => r.Evaluation is null).OrderBy(r => r.Name, StringComparer.Ordinal)];
    }
}
