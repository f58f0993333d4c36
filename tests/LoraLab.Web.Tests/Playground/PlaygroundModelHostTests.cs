using LoraLab.Engine.Devices;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Web.Accounts;
using LoraLab.Web.Adapters;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Devices;
using LoraLab.Web.Models;
using LoraLab.Web.Playground;
using LoraLab.Web.Storage;
using LoraLab.Web.Tests.Devices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Tests.Playground;

/// <summary>Two tiny models in the data folder, and the playground's host over the studio's real stores.</summary>
public sealed class PlaygroundModelHostTests : IAsyncLifetime
{
    readonly TempDataFolder _data = new();
    IDbContextFactory<LoraLabDbContext> _db = null!;
    ModelRegistry _models = null!;
    PlaygroundModelHost _host = null!;
    int _first, _second;

    public async Task InitializeAsync()
    {
        TinyModelFolder.Write(Path.Combine(_data.ModelsFolder, "tiny-a"));
        TinyModelFolder.Write(Path.Combine(_data.ModelsFolder, "tiny-b"));
        _db = TestDatabase.Create(_data.Path);
        var options = Options.Create(new LoraLabOptions { DataPath = _data.Path, RegisterDemo = false });
        _models = new ModelRegistry(_db, new DataFolder(_data.Path), options, TimeProvider.System);
        var registered = await _models.SyncAsync();
        (_first, _second) = (registered.Single(m => m.Name == "tiny-a").Id, registered.Single(m => m.Name == "tiny-b").Id);
        _host = new PlaygroundModelHost(_models, new AdapterStore(_db, new Quotas(Options.Create(new AccountsOptions()), _db), TimeProvider.System, new DataFolder(_data.Path)),
            new TrainingDevices([ComputeDevice.Cpu], new FakeDeviceMemory(), runsPerDevice: 1), NullLogger<PlaygroundModelHost>.Instance);
    }

    async Task<int> AddAdapterAsync(int baseModelId, string name, string folder)
    {
        await using var db = await _db.CreateDbContextAsync();
        var adapter = new Adapter { Name = name, BaseModelId = baseModelId, Method = "lora", Folder = folder, Owner = Caller.Local.UserId };
        db.Adapters.Add(adapter);
        await db.SaveChangesAsync();
        return adapter.Id;
    }

    [Fact]
    public async Task Asking_for_another_base_model_evicts_the_one_in_memory()
    {
        var first = await _host.RunAsync(_first, [], model => model.Model.Base.Directory);
        Assert.Equal(_first, _host.LoadedBaseModelId);

        var second = await _host.RunAsync(_second, [], model => model.Model.Base.Directory);

        Assert.Equal(_second, _host.LoadedBaseModelId);
        Assert.EndsWith("tiny-a", first.Value);
        Assert.EndsWith("tiny-b", second.Value);
    }

    [Fact]
    public async Task An_adapter_is_loaded_once_under_its_id_and_stays_for_the_next_work_on_that_base()
    {
        string folder = Path.Combine(_data.Path, "adapters", "a");
        using (var lm = PretrainedModel.Load(Path.Combine(_data.ModelsFolder, "tiny-a"), ComputeDevice.Cpu))
        {
            var config = new LoraConfig { R = 2, LoraAlpha = 4, TargetModules = ["q_proj"] };
            LoraInjection.Inject(lm, config, "default");
            PeftLoraFiles.Save(lm, "default", config, folder);
        }
        int adapter = await AddAdapterAsync(_first, "a", folder);

        var loaded = await _host.RunAsync(_first, [adapter], model => model.Model.AdapterNames.ToList());
        var again = await _host.RunAsync(_first, [], model => model.Model.AdapterNames.ToList());

        Assert.Equal([$"adapter-{adapter}"], loaded.Value);
        Assert.Equal(loaded.Value, again.Value);
    }

    [Fact]
    public async Task An_adapter_folder_that_does_not_fit_the_base_is_a_conflict_naming_the_adapter()
    {
        string folder = Path.Combine(_data.Path, "adapters", "broken");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "adapter_config.json"), """{"peft_type": "LORA", "r": 2, "target_modules": ["no_such_proj"]}""");
        File.WriteAllBytes(Path.Combine(folder, "adapter_model.safetensors"), []);
        int adapter = await AddAdapterAsync(_first, "broken", folder);

        var result = await _host.RunAsync(_first, [adapter], _ => 0);

        Assert.Equal(FailureKind.Conflict, result.Failure!.Kind);
        Assert.StartsWith("Adapter 'broken' could not be loaded:", result.Failure.Detail);
    }

    [Fact]
    public async Task An_adapter_trained_on_another_base_is_refused_before_anything_is_loaded()
    {
        int adapter = await AddAdapterAsync(_second, "of tiny-b", Path.Combine(_data.Path, "adapters", "b"));

        var result = await _host.RunAsync(_first, [adapter], _ => 0);

        Assert.Equal("Adapter 'of tiny-b' was trained on tiny-b, not on tiny-a.", result.Failure!.FieldErrors!["columns"][0]);
        Assert.Null(_host.LoadedBaseModelId);
    }

    public Task DisposeAsync()
    {
        _host.Dispose();
        _data.Dispose();
        return Task.CompletedTask;
    }
}
