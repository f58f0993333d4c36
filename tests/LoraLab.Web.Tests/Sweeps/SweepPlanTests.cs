using System.Text.Json.Nodes;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Sweeps;

namespace LoraLab.Web.Tests.Sweeps;

public sealed class SweepPlanTests
{
    static readonly SweptSetting Rank = new("method", "r", [4, 8, 16]);
    static readonly SweptSetting LearningRate = new("training", "learning_rate", [1e-4, 3e-4]);

    static IReadOnlyList<SweepPoint> Points(IReadOnlyList<SweptSetting> settings, SweepMode mode = SweepMode.Grid, int? budget = null, int seed = 7)
    {
        var (points, errors) = SweepPlan.Expand(settings, mode, budget, seed);
        Assert.Empty(errors);
        return points;
    }

    static Dictionary<string, string[]> Errors(IReadOnlyList<SweptSetting>? settings, SweepMode mode = SweepMode.Grid, int? budget = null)
    {
        var (points, errors) = SweepPlan.Expand(settings, mode, budget, seed: 7);
        Assert.Empty(points);
        return errors;
    }

    [Fact]
    public void A_grid_is_every_combination_once_with_the_first_setting_outermost()
    {
        var points = Points([Rank, LearningRate]);

        Assert.Equal(["r=4 lr=1e-4", "r=4 lr=3e-4", "r=8 lr=1e-4", "r=8 lr=3e-4", "r=16 lr=1e-4", "r=16 lr=3e-4"], points.Select(p => p.Label));
    }

    [Fact]
    public void A_grid_of_three_settings_has_the_product_of_their_value_counts_all_distinct()
    {
        var points = Points([Rank, LearningRate, new("data", "max_length", [128, 256])]);

        Assert.Equal(12, points.Count);
        Assert.Equal(12, points.Select(p => p.Label).Distinct().Count());
    }

    [Fact]
    public void A_combination_overrides_its_settings_in_a_copy_of_the_base_configuration_and_keeps_the_others()
    {
        var configuration = new JsonObject { ["method"] = new JsonObject { ["method"] = "lora", ["r"] = 32, ["lora_alpha"] = 16 }, ["training"] = new JsonObject { ["batch_size"] = 2 } };
        var point = Points([Rank, LearningRate, new("data", "max_length", [128])])[3];

        var applied = point.Apply(configuration);

        Assert.Equal("""{"method":{"method":"lora","r":8,"lora_alpha":16},"training":{"batch_size":2,"learning_rate":0.0003},"data":{"max_length":128}}""", applied.ToJsonString());
        Assert.Equal(32, (int)configuration["method"]!["r"]!);
    }

    [Fact]
    public void A_random_search_draws_its_budget_of_distinct_combinations_from_the_grid()
    {
        var grid = Points([Rank, LearningRate]).Select(p => p.Label).ToList();

        var drawn = Points([Rank, LearningRate], SweepMode.Random, budget: 4).Select(p => p.Label).ToList();

        Assert.Equal(4, drawn.Count);
        Assert.Equal(4, drawn.Distinct().Count());
        Assert.All(drawn, label => Assert.Contains(label, grid));
    }

    [Fact]
    public void The_same_seed_draws_the_same_combinations_and_other_seeds_draw_others()
    {
        SweptSetting[] wide = [new("method", "r", [2, 4, 8, 16, 32, 64]), new("training", "learning_rate", [1e-5, 3e-5, 1e-4, 3e-4, 1e-3]), new("method", "lora_dropout", [0, 0.05, 0.1])];
        string Drawn(int seed) => string.Join("|", Points(wide, SweepMode.Random, budget: 5, seed: seed).Select(p => p.Label));

        Assert.Equal(Drawn(11), Drawn(11));
        Assert.NotEqual(Drawn(11), Drawn(12));
    }

    [Fact]
    public void A_budget_of_every_combination_draws_the_whole_grid()
    {
        Assert.Equal(Points([Rank, LearningRate]), Points([Rank, LearningRate], SweepMode.Random, budget: 6), new PointComparer());
    }

    [Fact]
    public void More_than_three_settings_are_refused()
    {
        var errors = Errors([Rank, LearningRate, new("data", "max_length", [128]), new("training", "batch_size", [1, 2])]);

        Assert.Equal(["A sweep varies at most 3 settings, got 4."], errors["settings"]);
    }

    [Fact]
    public void No_settings_are_refused_with_an_example()
    {
        Assert.StartsWith("A sweep needs a setting to vary", Errors([]).Single().Value.Single());
        Assert.StartsWith("A sweep needs a setting to vary", Errors(null)["settings"].Single());
    }

    [Fact]
    public void Each_wrong_setting_is_named_by_its_place_in_the_request()
    {
        var errors = Errors([new("model", "r", [8]), new("method", "", [8]), new("training", "learning_rate", []), new("training", "learning_rate", [1e-4, 1e-4])]);

        Assert.Equal(["settings", "settings[0].section", "settings[1].field", "settings[2].values", "settings[3].field", "settings[3].values"], errors.Keys.Order());
        Assert.Equal(["The section must be \"method\", \"training\" or \"data\", got 'model'."], errors["settings[0].section"]);
        Assert.Equal(["Give at least one value for learning_rate."], errors["settings[2].values"]);
        Assert.Equal(["training.learning_rate is swept twice: give all its values in one setting."], errors["settings[3].field"]);
        Assert.Equal(["learning_rate has the value 1e-4 2 times: give each value once."], errors["settings[3].values"]);
    }

    [Fact]
    public void Values_that_are_not_finite_are_refused()
    {
        Assert.Equal(["The values of r must be finite numbers, got NaN."], Errors([new("method", "r", [8, double.NaN])])["settings[0].values"]);
    }

    [Fact]
    public void A_grid_of_more_than_32_runs_is_refused_saying_how_many_it_would_queue()
    {
        var errors = Errors([new("method", "r", [2, 4, 8, 16]), new("training", "learning_rate", [1e-5, 1e-4, 1e-3]), new("data", "max_length", [64, 128, 256])]);

        Assert.Equal(["The grid has 4 × 3 × 3 = 36 combinations; a sweep queues at most 32 runs: give fewer values, or draw a budget of them in random mode."], errors["settings"]);
    }

    [Theory]
    [InlineData(null, "Random search needs a budget: how many combinations to draw, 1 to 32.")]
    [InlineData(0, "The budget must be 1 to 32 runs, got 0.")]
    [InlineData(33, "The budget must be 1 to 32 runs, got 33.")]
    [InlineData(7, "The budget is 7 but the values make only 3 × 2 = 6 combinations: lower it, or run them all in grid mode.")]
    public void A_random_budget_outside_one_to_the_number_of_combinations_is_refused(int? budget, string message)
    {
        Assert.Equal([message], Errors([Rank, LearningRate], SweepMode.Random, budget)["budget"]);
    }

    [Theory]
    [InlineData(1e-4, "1e-4")]
    [InlineData(3e-5, "3e-5")]
    [InlineData(1e-3, "1e-3")]
    [InlineData(2.5e-4, "2.5e-4")]
    [InlineData(0.05, "0.05")]
    [InlineData(16, "16")]
    [InlineData(0, "0")]
    [InlineData(2e6, "2e6")]
    public void Values_are_named_short_and_exact(double value, string text)
    {
        Assert.Equal(text, SweepValueText.Format(value));
    }

    sealed class PointComparer : IEqualityComparer<SweepPoint>
    {
        public bool Equals(SweepPoint? x, SweepPoint? y) => x!.Values.SequenceEqual(y!.Values);

        public int GetHashCode(SweepPoint point) => point.Label.GetHashCode(StringComparison.Ordinal);
    }
}
