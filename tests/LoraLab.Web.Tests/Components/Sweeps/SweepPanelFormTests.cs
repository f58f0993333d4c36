using LoraLab.Web.Components.Pages.Sweeps;
using LoraLab.Web.Data.Entities;

namespace LoraLab.Web.Tests.Components.Sweeps;

public sealed class SweepPanelFormTests
{
    [Fact]
    public void Values_are_read_as_a_comma_list_of_invariant_numbers()
    {
        Assert.Equal([1e-4, 3e-4, 0.001], SweepPanelForm.ParseValues(" 1e-4, 3e-4 ,0.001, ").Values);
        Assert.Equal("'1e-4; 3e-4' is not a number; separate values with commas, e.g. 1e-4, 3e-4.", SweepPanelForm.ParseValues("1e-4; 3e-4").Error);
    }

    [Fact]
    public void The_preview_counts_the_grid_and_says_what_stops_a_sweep()
    {
        var form = new SweepPanelForm();
        form.Rows[0].Key = "method.r";
        form.Rows[0].ValuesText = "4, 8, 16";
        form.Rows.Add(new() { Key = "training.learning_rate", ValuesText = "1e-4, 3e-4" });

        Assert.Equal((6, null), form.Preview());

        form.Mode = SweepMode.Random;
        form.Budget = 7;
        Assert.Equal((0, "The budget is 7 but the values make only 3 × 2 = 6 combinations: lower it, or run them all in grid mode."), form.Preview());

        form.Rows[1].ValuesText = "1e-4, fast";
        Assert.Equal((0, "'fast' is not a number; separate values with commas, e.g. 1e-4, 3e-4."), form.Preview());
    }

    [Fact]
    public void The_request_carries_the_settings_by_section_and_field_and_the_budget_only_in_random_mode()
    {
        var form = new SweepPanelForm { Budget = 3 };
        form.Rows[0].Key = "training.learning_rate";
        form.Rows[0].ValuesText = "1e-4, 3e-4";

        var request = form.Request("s", 1, 2, "lora", null);

        var setting = Assert.Single(request.Settings!);
        Assert.Equal(("training", "learning_rate"), (setting.Section, setting.Field));
        Assert.Equal([1e-4, 3e-4], setting.Values);
        Assert.Equal((SweepMode.Grid, null, "eval_loss"), (request.Mode, request.Budget, request.RankMetric));
    }

    [Fact]
    public void A_row_without_a_setting_stops_the_sweep_and_keeps_its_place_in_the_request()
    {
        var form = new SweepPanelForm();
        form.Rows.Add(new() { Key = "method.r", ValuesText = "8" });

        Assert.Equal((0, "Pick the setting to vary in row 1."), form.Preview());
        Assert.Equal(["", "r"], form.Settings().Select(s => s.Field));
    }
}
