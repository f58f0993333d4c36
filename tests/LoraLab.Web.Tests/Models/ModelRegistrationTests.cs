using LoraLab.Web.Accounts;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Models;
using LoraLab.Web.Storage;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Tests.Models;

public sealed class ModelRegistrationTests : IDisposable
{
    readonly TempDataFolder _data = new();
    readonly ModelRegistry _registry;

    public ModelRegistrationTests() => _registry = new ModelRegistry(
        TestDatabase.Create(_data.Path), new DataFolder(_data.Path), Options.Create(new LoraLabOptions { DataPath = _data.Path, RegisterDemo = false }), TimeProvider.System);

    [Fact]
    public async Task A_folder_outside_the_data_path_is_registered_and_kept_by_the_next_sync()
    {
        string folder = _data.AddOutsideFolder("smol", TempDataFolder.SmolLm2Config);

        var registered = await _registry.RegisterFolderAsync(folder);
        var synced = await _registry.SyncAsync();

        Assert.Equal(("smol", 134_515_008L), (registered.Value!.Name, registered.Value.Config!.ParameterCount()));
        Assert.Equal([folder], synced.Select(m => m.Folder));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task An_empty_path_is_refused_under_the_folder_field(string path)
    {
        var refused = await _registry.RegisterFolderAsync(path);

        Assert.Equal(["Give the path of a model folder."], refused.Failure!.FieldErrors!["folder"]);
    }

    [Fact]
    public async Task A_missing_folder_is_refused_with_its_full_path()
    {
        string missing = Path.Combine(_data.Path, "nowhere");

        var refused = await _registry.RegisterFolderAsync(missing);

        Assert.Equal([$"{missing} does not exist or is not a folder."], refused.Failure!.FieldErrors!["folder"]);
    }

    [Fact]
    public async Task Registering_the_same_folder_twice_is_a_conflict()
    {
        string folder = _data.AddOutsideFolder("smol", TempDataFolder.SmolLm2Config);
        await _registry.RegisterFolderAsync(folder);

        var again = await _registry.RegisterFolderAsync(folder + "/");

        Assert.Equal(FailureKind.Conflict, again.Failure!.Kind);
    }

    [Fact]
    public async Task Deleting_a_model_registered_from_elsewhere_keeps_its_files()
    {
        string folder = _data.AddOutsideFolder("smol", TempDataFolder.SmolLm2Config);
        var model = (await _registry.RegisterFolderAsync(folder)).Value!;

        var deleted = await _registry.DeleteAsync(model.Id, Caller.Local);

        Assert.False(_registry.OwnsFolder(model));
        Assert.Null(deleted.Failure);
        Assert.True(File.Exists(Path.Combine(folder, "config.json")));
        Assert.Empty(await _registry.ListAsync());
    }

    [Fact]
    public async Task A_model_a_run_was_trained_on_cannot_be_deleted()
    {
        _data.AddModel("SmolLM2-135M", TempDataFolder.SmolLm2Config);
        var model = (await _registry.SyncAsync()).Single();
        var db = TestDatabase.Create(_data.Path);
        await using (var context = await db.CreateDbContextAsync())
        {
            context.Runs.Add(new LoraLab.Web.Data.Entities.Run { Name = "r", BaseModelId = model.Id, MethodKind = "lora", ConfigurationJson = "{}", Owner = "local" });
            await context.SaveChangesAsync();
        }

        var refused = await _registry.DeleteAsync(model.Id, Caller.Local);

        Assert.Equal((FailureKind.Conflict, $"Model {model.Id} ('SmolLM2-135M') is the base of run(s) 1; delete them first."),
            (refused.Failure!.Kind, refused.Failure.Detail));
        Assert.True(Directory.Exists(model.Folder));
    }

    [Fact]
    public async Task A_downloaded_folder_a_sync_saw_first_is_taken_over_as_a_hub_model()
    {
        string folder = _data.AddModel("SmolLM2-135M", TempDataFolder.SmolLm2Config);
        var local = Assert.Single(await _registry.SyncAsync());

        var downloaded = await _registry.RegisterDownloadAsync(folder);

        Assert.Equal((local.Id, ModelSource.Local), (downloaded.Value!.Id, local.Source));
        Assert.Equal(ModelSource.Hub, Assert.Single(await _registry.SyncAsync()).Source);
    }

    [Fact]
    public async Task A_downloaded_folder_the_engine_cannot_read_is_refused_with_the_reason()
    {
        string folder = _data.AddModel("broken", TempDataFolder.ConfigWithoutVocabSize);

        var refused = await _registry.RegisterDownloadAsync(folder);

        Assert.Equal([$"{Path.Combine(folder, "config.json")}: required field 'vocab_size' is missing."], refused.Failure!.FieldErrors!["folder"]);
    }

    public void Dispose() => _data.Dispose();
}
