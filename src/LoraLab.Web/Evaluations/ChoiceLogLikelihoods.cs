using System.Globalization;

namespace LoraLab.Web.Evaluations;

/// <summary>
/// A question's log-likelihoods, one per choice, as an evaluation run's answers file keeps them: round-trip decimal
/// numbers separated by spaces, so a resumed run scores exactly what it scored before.
/// </summary>
public static class ChoiceLogLikelihoods
{
    public static string Format(IReadOnlyList<double> logLikelihoods) =>
        string.Join(' ', logLikelihoods.Select(ll => ll.ToString("R", CultureInfo.InvariantCulture)));

    /// <exception cref="FormatException">The text is not such a list.</exception>
    public static IReadOnlyList<double> Parse(string text) =>
        text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(x => double.Parse(x, NumberStyles.Float, CultureInfo.InvariantCulture)).ToList();
}
