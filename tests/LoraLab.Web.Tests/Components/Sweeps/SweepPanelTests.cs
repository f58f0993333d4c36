using Bunit;
using LoraLab.Web.Components.Pages.Runs;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace LoraLab.Web.Tests.Components.Sweeps;

public sealed class SweepPanelTests : StudioComponentContext
{
    async Task<IRenderedComponent<NewRunPage>> RenderWithSweepOpenAsync()
    {
        await AddSmolLm2Async();
        await AddDatasetAsync();
        var page = Render<NewRunPage>();
        page.WaitForElement("#sweep-panel");
        await page.InvokeAsync(() => page.FindComponents<MudSwitch<bool>>().Single(s => s.Instance.Label == "Vary settings over several runs").Instance.ValueChanged.InvokeAsync(true));
        page.WaitForElement("#queue-sweep");
        return page;
    }

    static Task SetRowAsync(IRenderedComponent<NewRunPage> page, int row, string key, string values) => page.InvokeAsync(async () =>
    {
        await page.FindComponents<MudSelect<string>>().Where(s => s.Instance.Label == "Setting").ElementAt(row).Instance.ValueChanged.InvokeAsync(key);
        await page.FindComponents<MudTextField<string>>().Where(s => s.Instance.Label == "Values").ElementAt(row).Instance.ValueChanged.InvokeAsync(values);
    });

    [Fact]
    public async Task The_sweep_section_counts_the_runs_queues_them_from_the_forms_settings_and_opens_the_sweep()
    {
        var page = await RenderWithSweepOpenAsync();
        page.Find("#run-name").Input("rates");
        page.Find("#training-batch-size").Input("2");

        await SetRowAsync(page, 0, "training.learning_rate", "1e-4, 3e-4");
        await page.Find("#sweep-add-setting").ClickAsync(new());
        await SetRowAsync(page, 1, "method.r", "4, 8, 16");

        page.WaitForAssertion(() => Assert.StartsWith("Queues 6 runs, named rates · …", page.Find("#sweep-preview").TextContent.Trim()));
        await page.Find("#queue-sweep").ClickAsync(new());

        var sweep = Assert.Single(await SweepReader.ListAsync());
        Assert.Equal(("rates", 6), (sweep.Name, sweep.RunCount));
        var details = (await SweepReader.GetAsync(sweep.Id))!;
        Assert.Equal("rates · lr=1e-4 r=4", details.Runs[0].Name);
        var first = (await Runs.GetDetailsAsync(details.Runs[0].RunId))!;
        Assert.Equal((2, 4), ((int)first.Configuration["training"]!["batch_size"]!, (int)first.Configuration["method"]!["r"]!));
        Assert.EndsWith($"/sweeps/{sweep.Id}", Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public async Task A_value_a_run_refuses_is_shown_under_its_row_and_queues_nothing()
    {
        var page = await RenderWithSweepOpenAsync();

        await SetRowAsync(page, 0, "method.r", "8, 0");
        await page.Find("#queue-sweep").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Contains("r=0: r must be", page.Find("#sweep-panel [data-failure]").TextContent));
        Assert.Contains(page.FindAll("[data-sweep-row='0'] .mud-input-helper-text"), helper => helper.TextContent.Contains("r=0: r must be"));   // under its row
        Assert.Empty(await Runs.ListAsync());
        Assert.Empty(await SweepReader.ListAsync());
    }
}
