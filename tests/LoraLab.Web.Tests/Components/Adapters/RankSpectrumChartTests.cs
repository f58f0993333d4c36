using Bunit;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Web.Components.Pages.Adapters;
using LoraLab.Web.Components.Shared;

namespace LoraLab.Web.Tests.Components.Adapters;

public sealed class RankSpectrumChartTests : MudBlazorContext
{
    /// <summary>Two layers of q_proj and v_proj at r = 3; layer 0's q_proj has σ = (6, 4, 2): energies 36/56, 52/56, 1.</summary>
    static readonly AdapterSpectrum Spectrum = new(3, false,
    [
        new("model.layers.0.self_attn.q_proj", 0, "q_proj", 3, 2, [6, 4, 2]),
        new("model.layers.0.self_attn.v_proj", 0, "v_proj", 3, 2, [5, 0.5, 0]),
        new("model.layers.1.self_attn.q_proj", 1, "q_proj", 3, 2, [1, 1, 1]),
        new("model.layers.1.self_attn.v_proj", 1, "v_proj", 3, 2, [3, 1, 0.1]),
    ]);

    static IReadOnlyList<ChartPoint> PointsOf(IRenderedComponent<RankSpectrumChart> chart, string id, int series = 0) =>
        chart.FindComponents<LineChart>().Single(c => c.Instance.Id == id).Instance.Series[series].Points;

    [Fact]
    public void The_first_module_is_plotted_as_its_singular_values_by_index_and_its_cumulative_energy_in_percent()
    {
        var chart = Render<RankSpectrumChart>(p => p.Add(c => c.Spectrum, Spectrum));

        Assert.Equal([new(1, 6), new(2, 4), new(3, 2)], PointsOf(chart, "spectrum-values"));
        Assert.Equal([(1, 64.29), (2, 92.86), (3, 100.0)], PointsOf(chart, "spectrum-energy").Select(p => (p.X, Math.Round(p.Y, 2))));
        Assert.Equal([new(1, 90), new(3, 90)], PointsOf(chart, "spectrum-energy", series: 1));
        Assert.Equal([new(1, 99), new(3, 99)], PointsOf(chart, "spectrum-energy", series: 2));
        Assert.Equal("3", chart.Find("#spectrum-values polyline").GetAttribute("data-points"));
        Assert.Equal("model.layers.0.self_attn.q_proj", chart.Find("#spectrum-module").TextContent.Trim());
    }

    [Fact]
    public void The_grid_has_a_row_per_layer_and_a_column_per_module_with_the_effective_ranks_at_90_and_99_percent()
    {
        var chart = Render<RankSpectrumChart>(p => p.Add(c => c.Spectrum, Spectrum));

        Assert.Equal(["layer", "q_proj", "v_proj"], chart.FindAll("#spectrum-grid thead th").Select(th => th.TextContent));
        var rows = chart.FindAll("#spectrum-grid tbody tr").Select(tr => tr.QuerySelectorAll("th, td").Select(c => c.TextContent.Trim()).ToArray()).ToList();
        // Layer 0 v_proj: 25/25.25 = 99.0 % in one value; layer 1 q_proj: thirds; layer 1 v_proj: 9/10.01 = 89.9 %, then 99.9 %.
        Assert.Equal([["0", "2 / 3", "1 / 1"], ["1", "3 / 3", "2 / 2"]], rows);
    }

    [Fact]
    public void Picking_a_cell_plots_that_module()
    {
        var chart = Render<RankSpectrumChart>(p => p.Add(c => c.Spectrum, Spectrum));

        chart.Find("td[data-module='model.layers.1.self_attn.v_proj'] button").Click();

        Assert.Equal([new(1, 3), new(2, 1), new(3, 0.1)], PointsOf(chart, "spectrum-values"));
        Assert.Equal("model.layers.1.self_attn.v_proj", chart.Find("#spectrum-module").TextContent.Trim());
        Assert.Contains("selected", chart.Find("td[data-module='model.layers.1.self_attn.v_proj']").ClassList);
    }

    [Fact]
    public void An_adapter_whose_updates_need_at_most_half_of_r_is_said_to_have_a_larger_r_than_needed()
    {
        var spectrum = new AdapterSpectrum(8, false,
        [
            new("model.layers.0.self_attn.q_proj", 0, "q_proj", 8, 1, [4, 2, 0.1, 0, 0, 0, 0, 0]),
            new("model.layers.1.self_attn.q_proj", 1, "q_proj", 8, 1, [3, 0.01, 0, 0, 0, 0, 0, 0]),
        ]);

        string verdict = SpectrumSeries.Verdict(spectrum);

        // Energies 16/20.01 and 20/20.01: two values hold 99 %; 9/9.0001: one does.
        Assert.Equal("99 % of each update's energy lies in at most 2 of its 8 directions (median 2); 90 % in at most 2. " +
            "r = 8 looks larger than these updates need: r = 2 would hold them.", verdict);
    }

    [Fact]
    public void An_untrained_adapter_is_said_to_be_zero()
    {
        var spectrum = new AdapterSpectrum(4, false, [new("model.layers.0.self_attn.q_proj", 0, "q_proj", 4, 1, [0, 0, 0, 0])]);

        Assert.Equal("Every update is zero: the adapter has not been trained (B = 0).", SpectrumSeries.Verdict(spectrum));
    }
}
