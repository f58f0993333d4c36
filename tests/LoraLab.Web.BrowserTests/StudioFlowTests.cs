using System.Text.RegularExpressions;
using LoraLab.Web.Tests;
using Microsoft.Playwright;

namespace LoraLab.Web.BrowserTests;

/// <summary>The studio in a real browser: every page, a dataset upload, a run launched from the form, its live curve, and its adapter's spectrum.</summary>
public sealed class StudioFlowTests(StudioServer studio) : IClassFixture<StudioServer>
{
    [Fact]
    public async Task A_dataset_uploaded_in_the_browser_is_validated_and_a_run_launched_from_the_form_is_queued()
    {
        var page = await studio.NewPageAsync();

        await OpenAsync(page, "/");
        StringAssert(await page.Locator("#devices .device-name").TextContentAsync(), "CPU");
        await ScreenshotAsync(page, "01-dashboard");

        await OpenAsync(page, "/models");
        await page.Locator("#models .model-name", new() { HasText = "tiny-llama" }).WaitForAsync();
        await ScreenshotAsync(page, "02-models");

        int datasetId = await UploadAsync(page, "browser-alpaca");
        var issueLines = await page.Locator("#issues .issue-line").AllTextContentsAsync();
        Assert.Equal(["3", "5", "7"], issueLines.Select(l => l.Trim()));
        Assert.Equal(5, await page.Locator("#preview .preview-example").CountAsync());
        Assert.True(await page.Locator("#preview .completion").CountAsync() >= 5);
        await page.Locator("#length-histogram").WaitForAsync();
        await ScreenshotAsync(page, "03-dataset");

        await OpenAsync(page, "/datasets");
        await page.Locator($"#datasets a[href='datasets/{datasetId}']").WaitForAsync();
        await ScreenshotAsync(page, "04-datasets");

        int runId = await LaunchAsync(page, "browser-queued", maxSteps: 4, screenshot: "05-new-run");
        await page.Locator("#progress").WaitForAsync();
        StringAssert(await page.Locator("h1").TextContentAsync(), "browser-queued");
        await ScreenshotAsync(page, "06-run");

        await OpenAsync(page, "/runs");
        await page.Locator($"#runs a[href='runs/{runId}']").WaitForAsync();
        await ScreenshotAsync(page, "07-runs");
    }

    [Fact]
    public async Task A_launched_run_draws_its_loss_curve_while_it_trains_and_ends_completed_with_its_adapter()
    {
        var page = await studio.NewPageAsync();
        await UploadAsync(page, "browser-train");
        await LaunchAsync(page, "browser-trained", maxSteps: 12, screenshot: null);

        try
        {
            await page.WaitForFunctionAsync(
                "() => Number(document.querySelector(\"#chart-loss polyline[data-series='training']\")?.dataset.points ?? 0) >= 2",
                null, new() { Timeout = 180_000 });
            await ScreenshotAsync(page, "08-run-training");
            await page.Locator("[data-status='Completed']").WaitForAsync(new() { Timeout = 300_000 });
        }
        catch (TimeoutException e)
        {
            await ScreenshotAsync(page, "08-run-timed-out");
            throw new TimeoutException($"{e.Message}\nThe studio's output:\n{studio.Output}", e);
        }
        await page.Locator("#download-adapter").WaitForAsync();
        await ScreenshotAsync(page, "09-run-completed");

        int adapterId = int.Parse((await page.Locator("#download-adapter").GetAttributeAsync("href"))!.Split('/')[^2]);
        await OpenAsync(page, "/adapters");
        await page.Locator($"#adapters a[href='adapters/{adapterId}']").WaitForAsync();
        await ScreenshotAsync(page, "10-adapters");
        await OpenAsync(page, $"/adapters/{adapterId}");
        await page.Locator("#spectrum-values polyline").WaitForAsync();
        await ScreenshotAsync(page, "11-adapter-spectrum");
    }

    [Fact]
    public async Task Wrong_settings_on_the_new_run_form_are_named_beside_their_fields_by_the_validators_the_API_uses_and_block_launching()
    {
        var page = await studio.NewPageAsync();
        await UploadAsync(page, "form-errors");
        await OpenAsync(page, "/runs/new");

        await page.FillAsync("#method-r", "0");
        await page.FillAsync("#training-lr", "-1");

        // Each message stays beside its field after the cursor has left it (MudBlazor validates again on blur).
        await Assertions.Expect(page.Locator("#method-settings .mud-input-helper-text")).ToContainTextAsync("r must be a positive integer, got 0.");
        await Assertions.Expect(page.Locator("#training-settings .mud-input-helper-text")).ToContainTextAsync("learning_rate must be positive, got -1.");
        await Assertions.Expect(page.Locator("#launch-blocked")).ToContainTextAsync("2 fields need attention");
        await ScreenshotAsync(page, "05b-new-run-errors");
        await Assertions.Expect(page.Locator("#launch")).ToBeDisabledAsync();
    }

    [Fact]
    public async Task A_folder_the_server_refuses_stays_named_beside_the_field_when_the_cursor_leaves_and_is_withdrawn_once_the_field_changes()
    {
        var page = await studio.NewPageAsync();
        await OpenAsync(page, "/models");
        await page.FillAsync("#model-folder", "/nowhere/at/all");
        await page.ClickAsync("#register-button");
        var message = page.Locator(".mud-input-control", new() { Has = page.Locator("#model-folder") }).Locator(".mud-input-helper-text");
        await Assertions.Expect(message).ToContainTextAsync("/nowhere/at/all");

        // Focus the field and leave it: MudBlazor validates on blur, and the message stays.
        await page.FocusAsync("#model-folder");
        await page.Locator("h1").ClickAsync();
        await Assertions.Expect(message).ToContainTextAsync("/nowhere/at/all");
        // Changing the value withdraws it.
        await page.FillAsync("#model-folder", "/elsewhere");
        await Assertions.Expect(message.Filter(new() { HasText = "/nowhere/at/all" })).ToHaveCountAsync(0);
    }

    async Task<int> UploadAsync(IPage page, string name)
    {
        await OpenAsync(page, "/datasets");
        string file = Path.Combine(studio.DataPath, $"{name}.jsonl");
        await File.WriteAllTextAsync(file, TinyModelFolder.AlpacaWithIssues);
        await page.FillAsync("#dataset-name", name);
        await FilePicker.PickAsync(page.Locator("input[type=file]"), file);
        await page.WaitForURLAsync(new Regex(@"/datasets/\d+$"), new() { Timeout = 60_000 });
        await WaitInteractiveAsync(page);
        await page.Locator("#issues").WaitForAsync();
        return int.Parse(page.Url.Split('/')[^1]);
    }

    async Task<int> LaunchAsync(IPage page, string name, int maxSteps, string? screenshot)
    {
        await OpenAsync(page, "/runs/new");
        await page.FillAsync("#run-name", name);
        await page.FillAsync("#training-max-steps", maxSteps.ToString());
        await page.FillAsync("#training-batch-size", "2");
        await page.Locator("#memory-total").WaitForAsync();
        await Assertions.Expect(page.Locator("#launch")).ToBeEnabledAsync();
        if (screenshot is not null) await ScreenshotAsync(page, screenshot);
        await page.ClickAsync("#launch");
        await page.WaitForURLAsync(new Regex(@"/runs/\d+$"));
        await WaitInteractiveAsync(page);
        return int.Parse(page.Url.Split('/')[^1]);
    }

    async Task OpenAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await WaitInteractiveAsync(page);
    }

    /// <summary>Until the circuit is connected, a prerendered page shows its content but ignores clicks and typing.</summary>
    static Task WaitInteractiveAsync(IPage page) => page.Locator("[data-interactive='true']").WaitForAsync();

    static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(StudioServer.ScreenshotFolder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(StudioServer.ScreenshotFolder, $"{name}.png"), FullPage = true });
    }

    static void StringAssert(string? actual, string expected) => Assert.Contains(expected, actual ?? "");
}
