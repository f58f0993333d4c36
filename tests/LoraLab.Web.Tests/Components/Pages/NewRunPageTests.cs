using Bunit;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Training;
using LoraLab.Web.Components.Pages.Runs;
using LoraLab.Web.Components.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace LoraLab.Web.Tests.Components.Pages;

public sealed class NewRunPageTests : StudioComponentContext
{
    async Task<IRenderedComponent<NewRunPage>> RenderFormAsync()
    {
        await AddSmolLm2Async();
        await AddDatasetAsync();
        var page = Render<NewRunPage>();
        page.WaitForElement("#launch");
        return page;
    }

    static string HelperTextOf(IRenderedComponent<NewRunPage> page, string inputId) =>
        page.Find(inputId).Closest(".mud-input-control")!.QuerySelector(".mud-input-helper-text")?.TextContent.Trim() ?? "";

    [Fact]
    public async Task A_rank_of_zero_shows_the_engines_message_under_the_rank_and_disables_launch()
    {
        var page = await RenderFormAsync();
        Assert.False(page.Find("#launch").HasAttribute("disabled"));

        page.Find("#method-r").Input("0");

        page.WaitForAssertion(() =>
        {
            Assert.Equal("r must be a positive integer, got 0.", HelperTextOf(page, "#method-r"));
            Assert.True(page.Find("#launch").HasAttribute("disabled"));
            Assert.Contains("One field needs attention", page.Find("#launch-blocked").TextContent);
        });
    }

    [Fact]
    public async Task Every_wrong_field_gets_its_own_message_at_once()
    {
        var page = await RenderFormAsync();

        page.Find("#run-name").Input("");
        page.Find("#training-batch-size").Input("0");
        page.Find("#training-lr").Input("-1");
        page.Find("#data-max-length").Input("9000");

        page.WaitForAssertion(() =>
        {
            Assert.Equal("A run needs a name.", HelperTextOf(page, "#run-name"));
            Assert.Equal("batch_size must be positive, got 0.", HelperTextOf(page, "#training-batch-size"));
            Assert.Equal("learning_rate must be positive, got -1.", HelperTextOf(page, "#training-lr"));
            Assert.Equal("At most the model's context length 8192, got 9000.", HelperTextOf(page, "#data-max-length"));
            Assert.Contains("4 fields need attention", page.Find("#launch-blocked").TextContent);
        });
    }

    [Fact]
    public async Task The_memory_estimate_follows_the_batch_size()
    {
        var page = await RenderFormAsync();
        string before = page.Find("#memory-total").TextContent;

        page.Find("#training-batch-size").Input("16");

        // SmolLM2-135M, LoRA r=16 on the seven projections, float32, 512 tokens: the estimator's own figure.
        var config = (await Registry.ListAsync()).Single().Config!;
        long trainable = TrainableParameterCount.Of(config, new MethodOptions { TargetModules = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"] });
        var expected = MemoryEstimator.Estimate(new MemoryEstimateInput(config, "lora", trainable, 32, ComputePrecision.Float32, 16, 512, false));
        page.WaitForAssertion(() =>
        {
            Assert.Equal(Show.Bytes(expected.Total), page.Find("#memory-total").TextContent);
            Assert.Equal(Show.Bytes(expected.Activations), page.Find("tr[data-part='activations'] .memory-bytes").TextContent);
        });
        Assert.NotEqual(before, page.Find("#memory-total").TextContent);
    }

    [Fact]
    public async Task Launching_queues_the_run_with_the_method_and_training_options_and_opens_its_page()
    {
        var page = await RenderFormAsync();
        page.Find("#run-name").Input("from-the-form");
        page.Find("#method-r").Input("8");
        page.Find("#training-batch-size").Input("2");
        // r = 8 on SmolLM2's seven projections: 30 layers × 8 × (1152 + 768 + 768 + 1152 + 3 × 2112).
        page.WaitForAssertion(() => Assert.Contains("Trains <b>2,442,240</b>", page.Find("#trainable-parameters").InnerHtml));

        await page.Find("#launch").ClickAsync(new());

        var run = (await Runs.ListAsync()).Single();
        var details = (await Runs.GetDetailsAsync(run.Id))!;
        Assert.Equal(("from-the-form", "lora", LoraLab.Web.Data.Entities.RunStatus.Queued), (run.Name, run.Method, run.Status));
        Assert.Equal(8, (int)details.Configuration["method"]!["r"]!);
        Assert.Equal(2, (int)details.Configuration["training"]!["batch_size"]!);
        Assert.Equal(512, (int)details.Configuration["data"]!["max_length"]!);
        Assert.EndsWith($"/runs/{run.Id}", Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public async Task Switching_to_prompt_tuning_brings_its_settings_and_learning_rate()
    {
        var page = await RenderFormAsync();

        await page.InvokeAsync(() => page.FindComponents<MudBlazor.MudSelect<string>>()
            .First(s => s.Instance.Label == "Method").Instance.ValueChanged.InvokeAsync("prompt"));

        page.WaitForAssertion(() =>
        {
            Assert.NotNull(page.Find("#method-virtual-tokens"));
            Assert.Equal("0.03", page.Find("#training-lr").GetAttribute("value"));
            Assert.Contains("Trains <b>11,520</b>", page.Find("#trainable-parameters").InnerHtml); // 20 virtual tokens × 576
        });
    }
}
