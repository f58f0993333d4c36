using LoraLab.Web.Adapters;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Tests.Playground;

public sealed class DemoAdaptersTests : IDisposable
{
    readonly TempDataFolder _data = new();
    readonly IDbContextFactory<LoraLabDbContext> _db;
    readonly string _bundled;

    public DemoAdaptersTests()
    {
        _db = TestDatabase.Create(_data.Path);
        new DataFolder(_data.Path).Create();
        _bundled = Path.Combine(_data.Path, "bundled");
        foreach (var (task, config) in new[] { ("extract-name", """{"peft_type": "LORA", "r": 8, "target_modules": ["q_proj"]}"""), ("pirate-style", """{"peft_type": "LORA", "use_dora": true}""") })
        {
            Directory.CreateDirectory(Path.Combine(_bundled, task));
            File.WriteAllText(Path.Combine(_bundled, task, "adapter_config.json"), config);
            File.WriteAllBytes(Path.Combine(_bundled, task, "adapter_model.safetensors"), new byte[64]);
        }
    }

    DemoAdapters Demo(string? bundled = null) => new(_db, new DataFolder(_data.Path),
        Options.Create(new LoraLabOptions { DataPath = _data.Path, DemoAdaptersPath = bundled ?? _bundled }), TimeProvider.System);

    async Task<int> AddDemoModelAsync()
    {
        await using var db = await _db.CreateDbContextAsync();
        var model = new BaseModel { Name = "demo", Folder = "/demo/model", Source = ModelSource.Demo };
        db.BaseModels.Add(model);
        await db.SaveChangesAsync();
        return model.Id;
    }

    [Fact]
    public async Task Each_bundled_adapter_is_copied_into_the_data_folder_and_registered_on_the_demo_model()
    {
        int demoModel = await AddDemoModelAsync();

        var registered = await Demo().RegisterAsync();

        Assert.Equal(["demo extract-name", "demo pirate-style"], registered);
        await using var db = await _db.CreateDbContextAsync();
        var adapters = await db.Adapters.OrderBy(a => a.Name).ToListAsync();
        Assert.All(adapters, a => Assert.Equal(demoModel, a.BaseModelId));
        Assert.Equal([("lora", 8), ("dora", (int?)null)], adapters.Select(a => (a.Method, a.Rank)));
        Assert.Equal(Path.Combine(_data.Path, "adapters", "demo-extract-name"), adapters[0].Folder);
        Assert.True(File.Exists(Path.Combine(adapters[0].Folder, "adapter_model.safetensors")));
    }

    [Fact]
    public async Task Registration_happens_once_so_a_deleted_demo_adapter_stays_deleted()
    {
        await AddDemoModelAsync();
        await Demo().RegisterAsync();
        await using (var db = await _db.CreateDbContextAsync())
            await db.Adapters.Where(a => a.Name == "demo pirate-style").ExecuteDeleteAsync();

        var again = await Demo().RegisterAsync();

        Assert.Empty(again);
        await using var check = await _db.CreateDbContextAsync();
        Assert.Equal(["demo extract-name"], await check.Adapters.Select(a => a.Name).ToListAsync());
    }

    [Fact]
    public async Task Without_a_demo_model_or_bundled_adapters_nothing_is_registered_or_remembered()
    {
        Assert.Empty(await Demo().RegisterAsync());
        await AddDemoModelAsync();
        Assert.Empty(await Demo(Path.Combine(_data.Path, "not-built-yet")).RegisterAsync());

        Assert.Equal(2, (await Demo().RegisterAsync()).Count);
    }

    public void Dispose() => _data.Dispose();
}
