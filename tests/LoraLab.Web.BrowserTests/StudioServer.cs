using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
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

    readonly StringBuilder _output = new();
    readonly Func<string, IReadOnlyDictionary<string, string>>? _prepare;
    Process? _process;
    IPlaywright? _playwright;

    public StudioServer() { }

    /// <summary>A studio whose data folder <paramref name="prepare"/> fills first; it returns LoraLab settings (environment variables) to start with.</summary>
    internal StudioServer(Func<string, IReadOnlyDictionary<string, string>> prepare) => _prepare = prepare;

    public string DataPath { get; } = Directory.CreateTempSubdirectory("loralab-browser-").FullName;
    public string Url { get; private set; } = "";
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: tests/LoraLab.Web.BrowserTests/TestResults/screenshots.</summary>
    public static string ScreenshotFolder => Path.Combine(RepositoryRoot(), "tests", "LoraLab.Web.BrowserTests", "TestResults", "screenshots");

    /// <summary>What the studio printed so far, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    public async Task InitializeAsync()
    {
        TinyModelFolder.Write(Path.Combine(DataPath, "models", "tiny-llama"));
        Url = $"http://127.0.0.1:{FreePort()}";
        _process = StartStudio();
        await WaitUntilServingAsync();

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

    Process StartStudio()
    {
        string dll = StudioDll();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(Url);
        start.Environment["LoraLab__DataPath"] = DataPath;
        start.Environment["LoraLab__Device"] = "cpu";
        start.Environment["LoraLab__RegisterDemo"] = "false";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in _prepare?.Invoke(DataPath) ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"dotnet {dll} did not start.");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    async Task WaitUntilServingAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_process!.HasExited) throw new InvalidOperationException($"The studio exited with code {_process.ExitCode}:\n{Output}");
            try
            {
                if ((await http.GetAsync($"{Url}/health")).IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"The studio did not answer {Url}/health within 90 s:\n{Output}");
    }

    /// <summary>The studio's own build output, of the configuration these tests were built in.</summary>
    static string StudioDll()
    {
        // AppContext.BaseDirectory is tests/LoraLab.Web.BrowserTests/bin/{Configuration}/{TargetFramework}/.
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string dll = Path.Combine(RepositoryRoot(), "src", "LoraLab.Web", "bin", framework.Parent!.Name, framework.Name, "LoraLab.Web.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the studio first: {dll} is missing.", dll);
    }

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Web.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"No Web.sln above {AppContext.BaseDirectory}.");
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        if (Directory.Exists(DataPath)) Directory.Delete(DataPath, recursive: true);
    }
}
