using LoraLab.Web.Accounts;
using LoraLab.Engine.Devices;
using LoraLab.Web.Adapters;
using LoraLab.Web.Data;
using LoraLab.Web.Models;
using LoraLab.Web.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Tests.Playground;

/// <summary>The bundled demo model, and two demo adapter folders the test writes for it.</summary>
public sealed class DemoAdaptersTests : IDisposable
{
    readonly TempDataFolder _data = new();
    readonly IDbContextFactory<LoraLabDbContext> _db;
    readonly string _bundled;

    public DemoAdaptersTests()
    {
        _db = TestDatabase.Create(_data.Path);
        new DataFolder(_data.Path).Create();
        _bundled = DemoAdapterFiles.Write(Path.Combine(_data.Path, "bundled"), "extract-name", "pirate-style");
    }

    DemoAdapters Demo(string? demoModel = null, string? bundled = null)
    {
        var options = Options.Create(new LoraLabOptions
        {
            DataPath = _data.Path, DemoModelPath = demoModel ?? DemoAdapterFiles.DemoModel, DemoDatasetsPath = Path.Combine(_data.Path, "none"),
            DemoAdaptersPath = bundled ?? _bundled,
        });
        var folder = new DataFolder(_data.Path);
        var models = new ModelRegistry(_db, folder, options, TimeProvider.System);
        models.SyncAsync().GetAwaiter().GetResult();
        var quotas = new Quotas(Options.Create(new AccountsOptions()), _db);
        var importer = new AdapterImporter(new AdapterStore(_db, quotas, TimeProvider.System, folder), models, folder, new AdapterWork(), quotas, ComputeDevice.Cpu, options);
        return new DemoAdapters(_db, importer, folder, options);
    }

    async Task<List<string>> AdapterNamesAsync()
    {
        await using var db = await _db.CreateDbContextAsync();
        return await db.Adapters.OrderBy(a => a.Name).Select(a => a.Name).ToListAsync();
    }

    [Fact]
    public async Task Each_bundled_adapter_is_imported_into_the_library_on_the_demo_model_owned_by_the_local_account()
    {
        var imported = await Demo().RegisterAsync();

        Assert.Equal(["demo extract-name", "demo pirate-style"], imported.Select(r => r.Value!.Name));
        await using var db = await _db.CreateDbContextAsync();
        var demoModel = await db.BaseModels.SingleAsync(m => m.Source == LoraLab.Web.Data.Entities.ModelSource.Demo);
        Assert.All(imported, r => Assert.Equal((demoModel.Id, "lora", 4, "local"), (r.Value!.BaseModelId, r.Value.Method, r.Value.Rank, r.Value.Owner)));
        Assert.All(imported, r => Assert.True(File.Exists(Path.Combine(r.Value!.Folder, "adapter_model.safetensors"))));
    }

    [Fact]
    public async Task Registration_happens_once_so_a_deleted_demo_adapter_stays_deleted()
    {
        await Demo().RegisterAsync();
        await using (var db = await _db.CreateDbContextAsync())
            await db.Adapters.Where(a => a.Name == "demo pirate-style").ExecuteDeleteAsync();

        var again = await Demo().RegisterAsync();

        Assert.Empty(again);
        Assert.Equal(["demo extract-name"], await AdapterNamesAsync());
    }

    [Fact]
    public async Task Without_a_demo_model_or_bundled_adapters_nothing_is_registered_or_remembered()
    {
        Assert.Empty(await Demo(demoModel: Path.Combine(_data.Path, "no-demo-model")).RegisterAsync());
        Assert.Empty(await Demo(bundled: Path.Combine(_data.Path, "not-built-yet")).RegisterAsync());

        Assert.Equal(2, (await Demo().RegisterAsync()).Count);
    }

    public void Dispose() => _data.Dispose();
}
