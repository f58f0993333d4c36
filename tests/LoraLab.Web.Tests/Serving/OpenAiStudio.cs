using System.ClientModel;
using System.ClientModel.Primitives;
using LoraLab.Web.Accounts;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Serving;
using LoraLab.Web.Tests.Playground;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;

namespace LoraLab.Web.Tests.Serving;

/// <summary>
/// The single-user studio on the bundled demo model with its trained adapters, and the official OpenAI client pointed
/// at its /v1 endpoints through the test server's transport.
/// </summary>
public sealed class OpenAiStudio : IDisposable
{
    public const string Pirate = "demo pirate-style";
    public const string Name = "demo extract-name";
    public const string PiratePrompt = "Say it like a pirate.\n\nthe red cat is at the park.";
    public const string NamePrompt = "Who is this sentence about?\n\nnora lost a green lamp at the bridge.";

    readonly TempDataFolder _data = new();

    public OpenAiStudio()
    {
        Factory = new StudioAppFactory(_data, executor: null, ("LoraLab:RegisterDemo", "true"), ("LoraLab:DemoModelPath", DemoAdapterFiles.DemoModel),
            ("LoraLab:DemoDatasetsPath", Path.Combine(_data.Path, "no-demo-datasets")), ("LoraLab:DemoAdaptersPath", DemoAdapterFiles.BundledAdapters));
        Http = Factory.CreateClient();
        Client = ClientFor(Http, "any key: single-user mode reads none");
    }

    public StudioAppFactory Factory { get; }
    public HttpClient Http { get; }
    public OpenAIClient Client { get; }
    public ServingStats Stats => Factory.Services.GetRequiredService<ServingStats>();

    public static OpenAIClient ClientFor(HttpClient http, string apiKey) => new(new ApiKeyCredential(apiKey), new OpenAIClientOptions
    {
        Endpoint = new Uri(http.BaseAddress!, "/v1"),
        Transport = new HttpClientPipelineTransport(http),
        // The tests check each answer once; a retried request would hide a failure.
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    });

    /// <summary>Waits until the serving thread holds no rows (a cancelled stream frees its row between steps).</summary>
    public async Task<bool> RowsFreedAsync(TimeSpan within)
    {
        var until = DateTime.UtcNow + within;
        while (DateTime.UtcNow < until)
        {
            if (Stats.Snapshot().RunningRows == 0) return true;
            await Task.Delay(20);
        }
        return false;
    }

    /// <summary>Waits until the audit log holds a served-completion entry that <paramref name="matches"/>.</summary>
    public async Task<bool> UsageRecordedAsync(Func<AuditRecord, bool> matches, TimeSpan within)
    {
        var audit = Factory.Services.GetRequiredService<AuditLog>();
        var until = DateTime.UtcNow + within;
        while (DateTime.UtcNow < until)
        {
            if ((await audit.ListAsync(action: AuditAction.CompletionServed)).Any(matches)) return true;
            await Task.Delay(20);
        }
        return false;
    }

    public void Dispose()
    {
        Http.Dispose();
        Factory.Dispose();
        _data.Dispose();
    }
}
