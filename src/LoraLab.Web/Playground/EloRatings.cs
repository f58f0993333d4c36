using LoraLab.Web.Data.Entities;

namespace LoraLab.Web.Playground;

/// <summary>One comparison between two contestants, in the order it happened.</summary>
public readonly record struct EloMatch<TKey>(TKey A, TKey B, VoteChoice Choice);

/// <summary>A contestant's rating after every match, and its record.</summary>
/// <param name="WinRate">(wins + ties / 2) / games: a tie counts as half a win, as it does in the rating.</param>
public sealed record EloStanding<TKey>(TKey Key, double Rating, int Wins, int Losses, int Ties)
{
    public int Games => Wins + Losses + Ties;
    public double WinRate => Games == 0 ? 0 : (Wins + Ties / 2.0) / Games;
}

/// <summary>
/// The standard logistic Elo rating (as in chess and Chatbot Arena's online Elo): everyone starts at 1000; for each match
/// in order, A's expected score is E = 1 / (1 + 10^((R_B − R_A) / 400)), its actual score S is 1, 0 or ½, and
/// R_A += 32 (S − E), R_B −= 32 (S − E).
/// </summary>
public static class EloRatings
{
    public const double Initial = 1000, K = 32, Scale = 400;

    /// <summary>The standings, best rating first.</summary>
    public static IReadOnlyList<EloStanding<TKey>> Compute<TKey>(IEnumerable<EloMatch<TKey>> matches) where TKey : notnull
    {
        var standings = new Dictionary<TKey, EloStanding<TKey>>();
        EloStanding<TKey> Of(TKey key) => standings.TryGetValue(key, out var s) ? s : standings[key] = new EloStanding<TKey>(key, Initial, 0, 0, 0);
        foreach (var (a, b, choice) in matches)
        {
            if (EqualityComparer<TKey>.Default.Equals(a, b)) throw new ArgumentException($"A contestant cannot play itself ('{a}').", nameof(matches));
            var (first, second) = (Of(a), Of(b));
            double expected = 1 / (1 + Math.Pow(10, (second.Rating - first.Rating) / Scale));
            double score = choice switch { VoteChoice.A => 1, VoteChoice.B => 0, _ => 0.5 };
            double change = K * (score - expected);
            standings[a] = first with
            {
                Rating = first.Rating + change,
                Wins = first.Wins + (choice == VoteChoice.A ? 1 : 0),
                Losses = first.Losses + (choice == VoteChoice.B ? 1 : 0),
                Ties = first.Ties + (choice == VoteChoice.Tie ? 1 : 0),
            };
            standings[b] = second with
            {
                Rating = second.Rating - change,
                Wins = second.Wins + (choice == VoteChoice.B ? 1 : 0),
                Losses = second.Losses + (choice == VoteChoice.A ? 1 : 0),
                Ties = second.Ties + (choice == VoteChoice.Tie ? 1 : 0),
            };
        }
        return standings.Values.OrderByDescending(s => s.Rating).ToList();
    }
}
