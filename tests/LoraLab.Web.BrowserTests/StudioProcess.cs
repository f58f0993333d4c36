using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LoraLab.Web.BrowserTests;

/// <summary>
/// The studio's real server as a child process (the built LoraLab.Web.dll) on a data folder the test owns, on a free
/// loopback port, configured through environment variables as an operator would; it can be stopped, or killed with
/// SIGKILL and started again on the same folder.
/// </summary>
public sealed class StudioProcess : IAsyncDisposable
{
    readonly StringBuilder _output = new();
    readonly Process _process;

    StudioProcess(string dataPath, IReadOnlyDictionary<string, string> settings)
    {
        Url = $"http://127.0.0.1:{FreePort()}";
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
        start.Environment["LoraLab__DataPath"] = dataPath;
        start.Environment["LoraLab__Device"] = "cpu";
        start.Environment["LoraLab__RegisterDemo"] = "false";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings) start.Environment[key] = value;
        _process = Process.Start(start) ?? throw new InvalidOperationException($"dotnet {dll} did not start.");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Url { get; }

    /// <summary>CPU time the studio process has used so far, all its threads together.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>What the studio printed so far, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>Starts the studio with <paramref name="settings"/> as extra environment variables and waits until /health answers.</summary>
    public static async Task<StudioProcess> StartAsync(string dataPath, IReadOnlyDictionary<string, string>? settings = null)
    {
        var studio = new StudioProcess(dataPath, settings ?? new Dictionary<string, string>());
        try
        {
            await studio.WaitUntilServingAsync();
            return studio;
        }
        catch
        {
            await studio.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGKILL (what <see cref="Process.Kill()"/> sends on Linux): no shutdown code runs, as in a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
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
            if (_process.HasExited) throw new InvalidOperationException($"The studio exited with code {_process.ExitCode}:\n{Output}");
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

    public static string RepositoryRoot()
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

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
