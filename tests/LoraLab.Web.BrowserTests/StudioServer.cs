using LoraLab.Web.Tests;
using Microsoft.Playwright;

namespace LoraLab.Web.BrowserTests;

/// <summary>
/// The real studio as its own process on a free loopback port, over a throw-away data folder that holds a tiny model,
/// and a headless Debian Chromium driven by Playwright (which downloads no browser of its own). It runs in single-user
/// mode unless the settings its data-folder preparation returns say otherwise.
/// </summary>
public class StudioServer : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    readonly Func<string, IReadOnlyDictionary<string, string>>? _prepare;
    StudioProcess? _studio;
    IPlaywright? _playwright;

    public StudioServer() { }

    /// <summary>A studio whose data folder <paramref name="prepare"/> fills first; it returns LoraLab settings (environment variables) to start with.</summary>
    internal StudioServer(Func<string, IReadOnlyDictionary<string, string>> prepare) => _prepare = prepare;

    public string DataPath { get; } = Directory.CreateTempSubdirectory("loralab-browser-").FullName;
    public string Url => _studio!.Url;
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: tests/LoraLab.Web.BrowserTests/TestResults/screenshots.</summary>
    public static string ScreenshotFolder => Path.Combine(StudioProcess.RepositoryRoot(), "tests", "LoraLab.Web.BrowserTests", "TestResults", "screenshots");

    /// <summary>What the studio printed so far, for failure messages.</summary>
    public string Output => _studio?.Output ?? "";

    public async Task InitializeAsync()
    {
        TinyModelFolder.Write(Path.Combine(DataPath, "models", "tiny-llama"));
        _studio = await StudioProcess.StartAsync(DataPath, _prepare?.Invoke(DataPath));

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
    }

    public async Task<IPage> NewPageAsync()
    {
        var page = await Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 }, BaseURL = Url });
        page.SetDefaultTimeout(30_000);
        return page;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
        if (_studio is not null) await _studio.DisposeAsync();
        if (Directory.Exists(DataPath)) Directory.Delete(DataPath, recursive: true);
    }
}
