using LoraLab.Web.Extensions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace LoraLab.Web.Tests.Extensions;

public class ComputeDeviceStartupTests
{
    [Fact]
    public async Task An_unknown_device_setting_stops_start_up_with_one_critical_line_naming_the_setting()
    {
        var log = new CapturingLoggerProvider();
        await using var app = BuildApp(device: "gpu", log);

        bool started = app.TrySelectComputeDevice();

        Assert.False(started);
        var line = Assert.Single(log.Entries, e => e.Level >= LogLevel.Error);
        Assert.Equal(LogLevel.Critical, line.Level);
        Assert.Null(line.Exception);
        Assert.Equal("Cannot start: setting LoraLab:Device = 'gpu' is unusable: Unknown device 'gpu': use auto, cpu, cuda (every GPU), cuda:N, or a list such as cuda:0,cuda:1.", line.Message);
    }

    [Fact]
    public async Task The_cpu_device_setting_starts_and_logs_the_device()
    {
        var log = new CapturingLoggerProvider();
        await using var app = BuildApp(device: "cpu", log);

        bool started = app.TrySelectComputeDevice();

        Assert.True(started);
        Assert.Contains(log.Entries, e => e.Message == $"Compute device: CPU ({Environment.ProcessorCount} threads)");
    }

    static WebApplication BuildApp(string device, ILoggerProvider log)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["LoraLab:Device"] = device;
        builder.Logging.ClearProviders().AddProvider(log);
        builder.AddLoraLabServices();
        return builder.Build();
    }

    sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public List<(LogLevel Level, string Message, Exception? Exception)> Entries { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Logger(Entries);

        public void Dispose() { }

        sealed class Logger(List<(LogLevel, string, Exception?)> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (entries) entries.Add((logLevel, formatter(state, exception), exception));
            }
        }
    }
}
