using LoraLab.Web.Data.Entities;
using LoraLab.Web.Playground;

namespace LoraLab.Web.Tests.Playground;

public class EloRatingsTests
{
    [Fact]
    public void Ratings_follow_the_logistic_elo_update_vote_by_vote_as_computed_by_hand()
    {
        // From 1000 each, K = 32, scale 400, E_A = 1 / (1 + 10^((R_B − R_A) / 400)):
        // 1. a beats b at equal ratings: E = 0.5, a = 1000 + 32·0.5 = 1016, b = 984.
        // 2. c beats a: E_c = 1 / (1 + 10^(16/400)) = 0.476990...; c = 1000 + 32·0.523009... = 1016.736307, a = 999.263693.
        // 3. b ties c: E_b = 1 / (1 + 10^(32.736307/400)) = 0.453028...; b = 984 + 32·0.046972... = 985.503117, c = 1015.233190.
        EloMatch<string>[] matches = [new("a", "b", VoteChoice.A), new("c", "a", VoteChoice.A), new("b", "c", VoteChoice.Tie)];

        var standings = EloRatings.Compute(matches).ToDictionary(s => s.Key);

        Assert.Equal(999.263693, standings["a"].Rating, 6);
        Assert.Equal(985.503117, standings["b"].Rating, 6);
        Assert.Equal(1015.233190, standings["c"].Rating, 6);
        Assert.Equal(3000, standings.Values.Sum(s => s.Rating), 9);
    }

    [Fact]
    public void The_table_is_ordered_by_rating_and_counts_a_tie_as_half_a_win()
    {
        EloMatch<string>[] matches = [new("a", "b", VoteChoice.B), new("b", "a", VoteChoice.Tie), new("a", "c", VoteChoice.A)];

        var standings = EloRatings.Compute(matches);

        // b ends near 1014.5, a near 1002.1 (it beat c after losing ground to b), c near 983.3.
        Assert.Equal(["b", "a", "c"], standings.Select(s => s.Key));
        var b = standings[0];
        Assert.Equal((1, 0, 1, 2, 0.75), (b.Wins, b.Losses, b.Ties, b.Games, b.WinRate));
        var a = standings.Single(s => s.Key == "a");
        Assert.Equal((1, 1, 1, 0.5), (a.Wins, a.Losses, a.Ties, a.WinRate));
    }

    [Fact]
    public void A_match_against_oneself_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => EloRatings.Compute([new EloMatch<string>("a", "a", VoteChoice.A)]));
        Assert.StartsWith("A contestant cannot play itself ('a').", e.Message);
    }
}
