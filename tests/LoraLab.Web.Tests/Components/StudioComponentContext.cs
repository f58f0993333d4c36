using System.Security.Claims;
using System.Text.Json.Nodes;
using Bunit.TestDoubles;
using LoraLab.Engine.Devices;
using LoraLab.Web.Accounts;
using LoraLab.Web.Datasets;
using LoraLab.Web.Devices;
using LoraLab.Web.Diagnostics;
using LoraLab.Web.Models;
using LoraLab.Web.Storage;
using LoraLab.Web.Sweeps;
using LoraLab.Web.Training;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Tests.Components;

/// <summary>
/// A bUnit context with the studio's real services over a throw-away data folder and database, as the pages use them,
/// signed in as the local account (single-user mode) unless a test signs in as someone else; no training service runs,
/// so queued runs stay queued and the test publishes run events itself.
/// </summary>
public abstract class StudioComponentContext : MudBlazorContext
{
    readonly BunitAuthorizationContext _authorization;

    protected StudioComponentContext(long maxDatasetUploadBytes = 1 << 20, bool singleUser = true)
    {
        var options = Options.Create(new LoraLabOptions
        {
            DataPath = Data.Path, MaxDatasetUploadBytes = maxDatasetUploadBytes, RegisterDemo = false, SingleUser = singleUser,
        });
        DbFactory = TestDatabase.Create(Data.Path);
        var db = DbFactory;
        var folder = new DataFolder(Data.Path);
        Quotas = new Quotas(Options.Create(new AccountsOptions()), db);
        Audit = new AuditLog(db, TimeProvider.System);
        Notifier = new TrainingNotifier(TimeProvider.System, NullLogger<TrainingNotifier>.Instance);
        Registry = new ModelRegistry(db, folder, options, TimeProvider.System);
        DatasetStore = new DatasetStore(db, folder, options, Quotas, TimeProvider.System);
        Inspector = new DatasetInspector(db, Registry);
        Queue = new RunQueue(db, folder, Notifier, Quotas, TimeProvider.System);
        Runs = new RunReader(db, folder);
        SweepReader = new SweepReader(db);
        Sweeps = new SweepService(db, Queue, Quotas, SweepReader, TimeProvider.System);
        Services.AddSingleton(options);
        Services.AddSingleton(folder);
        Services.AddSingleton(db);
        Services.AddScoped<CurrentCaller>();
        _authorization = AddAuthorization();
        SignInAs(Caller.Local);
        Services.AddSingleton(ComputeDevice.Cpu);
        Services.AddSingleton(new TrainingDevices([ComputeDevice.Cpu], new SystemDeviceMemory(), runsPerDevice: 1));
        Services.AddSingleton(new DeviceMemory(ComputeDevice.Cpu));
        Services.AddSingleton(Notifier);
        Services.AddSingleton(Registry);
        Services.AddSingleton(DatasetStore);
        Services.AddSingleton(Inspector);
        Services.AddSingleton(Queue);
        Services.AddSingleton(Runs);
        Services.AddSingleton(SweepReader);
        Services.AddSingleton(Sweeps);
        Services.AddSingleton(Quotas);
        Services.AddSingleton(Audit);
        Services.AddSingleton(_ => new HubDownloads(options, Registry, folder, Audit, TimeProvider.System, NullLogger<HubDownloads>.Instance));
    }

    protected TempDataFolder Data { get; } = new();
    protected Microsoft.EntityFrameworkCore.IDbContextFactory<LoraLab.Web.Data.LoraLabDbContext> DbFactory { get; }
    protected TrainingNotifier Notifier { get; }
    protected ModelRegistry Registry { get; }
    protected Quotas Quotas { get; }
    protected AuditLog Audit { get; }
    protected DatasetStore DatasetStore { get; }
    protected DatasetInspector Inspector { get; }
    protected RunQueue Queue { get; }
    protected RunReader Runs { get; }
    protected SweepReader SweepReader { get; }
    protected SweepService Sweeps { get; }

    /// <summary>The pages' <see cref="CurrentCaller"/> is <paramref name="caller"/> from now on.</summary>
    protected void SignInAs(Caller caller)
    {
        // bUnit builds the principal when SetAuthorized is called, from the claims and roles set before.
        _authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, caller.UserId));
        _authorization.SetRoles(caller.IsAdmin ? [StudioRoles.Admin] : [StudioRoles.Member]);
        _authorization.SetAuthorized(caller.UserName);
    }

    /// <summary>Registers SmolLM2-135M's config (no weights or tokenizer: enough for forms and estimates) and returns its id.</summary>
    protected async Task<int> AddSmolLm2Async()
    {
        Data.AddModel("SmolLM2-135M", TempDataFolder.SmolLm2Config);
        return (await Registry.SyncAsync()).Single(m => m.Name == "SmolLM2-135M").Id;
    }

    protected async Task<DatasetSummary> AddDatasetAsync(string name = "alpaca", string content = TinyModelFolder.AlpacaWithIssues)
    {
        var added = await DatasetStore.AddAsync($"{name}.jsonl", name, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)), Caller.Local);
        return added.Value ?? throw new InvalidOperationException(added.Failure!.Detail);
    }

    protected async Task<RunSummary> QueueRunAsync(int modelId, int datasetId, string name, JsonObject? configuration = null)
    {
        var created = await Queue.CreateAsync(new NewRun(name, modelId, datasetId, "lora", configuration), Caller.Local);
        return created.Value ?? throw new InvalidOperationException(created.Failure!.Detail);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Data.Dispose();
        base.Dispose(disposing);
    }
}
