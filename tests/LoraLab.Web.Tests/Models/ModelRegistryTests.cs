using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Models;
using LoraLab.Web.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Tests.Models;

public sealed class ModelRegistryTests : IDisposable
{
    readonly TempDataFolder _data = new();
    readonly IDbContextFactory<LoraLabDbContext> _db;

    public ModelRegistryTests() => _db = TestDatabase.Create(_data.Path);

    ModelRegistry Registry(params string[] modelFolders) => Registry(new LoraLabOptions { DataPath = _data.Path, ModelFolders = modelFolders, RegisterDemo = false });

    ModelRegistry Registry(LoraLabOptions options) => new(_db, new DataFolder(options.DataPath), Options.Create(options), TimeProvider.System);

    [Fact]
    public async Task Every_sub_folder_of_models_with_a_config_is_registered_by_name_with_its_shape()
    {
        string folder = _data.AddModel("SmolLM2-135M", TempDataFolder.SmolLm2Config);
        _data.AddModel("another", TempDataFolder.SmolLm2Config);

        var models = await Registry().SyncAsync();

        Assert.Equal(["another", "SmolLM2-135M"], models.Select(m => m.Name));
        var smol = models[1];
        Assert.Equal((folder, ModelSource.Local), (smol.Folder, smol.Source));
        Assert.Null(smol.Error);
        Assert.Equal("LlamaForCausalLM", smol.Config!.Architecture);
        Assert.Equal("135M", smol.Parameters);
        Assert.Equal((30, 576, 9, 3, 8192, "bfloat16"),
            (smol.Config.NumHiddenLayers, smol.Config.HiddenSize, smol.Config.NumAttentionHeads,
             smol.Config.NumKeyValueHeads, smol.Config.MaxPositionEmbeddings, smol.Config.TorchDType));
    }

    [Fact]
    public async Task The_record_keeps_the_shape_columns_and_the_list_reads_them_back_without_the_folder()
    {
        string folder = _data.AddModel("SmolLM2-135M", TempDataFolder.SmolLm2Config);
        await Registry().SyncAsync();
        File.Delete(Path.Combine(folder, "config.json"));

        var listed = Assert.Single(await Registry().ListAsync());

        Assert.Equal("135M", listed.Parameters);
        using var db = _db.CreateDbContext();
        var record = db.BaseModels.Single();
        Assert.Equal(("LlamaForCausalLM", 134_515_008L, "bfloat16", 8192), (record.Architecture, record.ParameterCount, record.DType, record.ContextLength));
    }

    [Fact]
    public async Task Syncing_again_registers_a_folder_once_and_keeps_its_id()
    {
        _data.AddModel("SmolLM2-135M", TempDataFolder.SmolLm2Config);
        int id = Assert.Single(await Registry().SyncAsync()).Id;

        var again = Assert.Single(await Registry().SyncAsync());

        Assert.Equal(id, again.Id);
    }

    [Fact]
    public async Task Sub_folders_of_models_without_a_config_are_not_models()
    {
        Directory.CreateDirectory(Path.Combine(_data.ModelsFolder, "downloads"));

        Assert.Empty(await Registry().SyncAsync());
    }

    [Fact]
    public async Task A_folder_with_an_invalid_config_is_registered_with_the_engine_message_naming_the_field()
    {
        string folder = _data.AddModel("broken", TempDataFolder.ConfigWithoutVocabSize);

        var broken = Assert.Single(await Registry().SyncAsync());

        Assert.Null(broken.Config);
        Assert.Equal("", broken.Parameters);
        Assert.Equal($"{Path.Combine(folder, "config.json")}: required field 'vocab_size' is missing.", broken.Error);
    }

    [Fact]
    public async Task A_registered_folder_that_disappears_keeps_its_record_with_an_error()
    {
        string folder = _data.AddModel("SmolLM2-135M", TempDataFolder.SmolLm2Config);
        await Registry().SyncAsync();
        Directory.Delete(folder, recursive: true);

        var gone = Assert.Single(await Registry().SyncAsync());

        Assert.Equal($"{folder} no longer exists.", gone.Error);
        Assert.Null(gone.Config);
    }

    [Fact]
    public async Task A_configured_folder_outside_the_data_path_is_registered()
    {
        string folder = _data.AddOutsideFolder("external", TempDataFolder.SmolLm2Config);

        var model = Assert.Single(await Registry(folder).SyncAsync());

        Assert.Equal(("external", folder, "135M"), (model.Name, model.Folder, model.Parameters));
    }

    [Fact]
    public async Task A_configured_folder_without_a_config_is_registered_with_the_missing_file_named()
    {
        string folder = _data.AddOutsideFolder("empty", configJson: null);

        var model = Assert.Single(await Registry(folder).SyncAsync());

        Assert.Null(model.Config);
        Assert.StartsWith($"{Path.Combine(folder, "config.json")} does not exist", model.Error);
    }

    [Fact]
    public async Task A_folder_registered_twice_is_listed_once()
    {
        string folder = _data.AddModel("twice", TempDataFolder.SmolLm2Config);

        var models = await Registry(folder, folder + Path.DirectorySeparatorChar).SyncAsync();

        Assert.Equal(folder, Assert.Single(models).Folder);
    }

    [Fact]
    public async Task The_demo_model_folder_is_registered_as_a_demo_named_after_its_family_and_size()
    {
        // The bundled demo's folder is called "model", which says nothing in a list of models.
        string demo = _data.AddOutsideFolder("model", TempDataFolder.SmolLm2Config);
        var options = new LoraLabOptions { DataPath = _data.Path, DemoModelPath = demo };

        var model = Assert.Single(await Registry(options).SyncAsync());

        Assert.Equal(("demo-llama-135M", ModelSource.Demo), (model.Name, model.Source));
    }

    [Fact]
    public async Task A_demo_model_folder_that_does_not_exist_yet_is_not_registered()
    {
        var options = new LoraLabOptions { DataPath = _data.Path, DemoModelPath = Path.Combine(_data.Path, "not-built-yet") };

        Assert.Empty(await Registry(options).SyncAsync());
    }

    [Fact]
    public async Task A_model_downloaded_from_the_hub_stays_a_hub_model_when_the_folders_are_read_again()
    {
        _data.AddModel("from-hub", TempDataFolder.SmolLm2Config);
        await Registry().SyncAsync();
        using (var db = _db.CreateDbContext())
        {
            db.BaseModels.Single().Source = ModelSource.Hub;
            db.SaveChanges();
        }

        var model = Assert.Single(await Registry().SyncAsync());

        Assert.Equal(ModelSource.Hub, model.Source);
    }

    [Fact]
    public void A_relative_data_path_is_resolved_against_the_current_directory()
    {
        var registry = Registry(new LoraLabOptions { DataPath = "some-data", RegisterDemo = false });

        Assert.Equal(Path.Combine(Directory.GetCurrentDirectory(), "some-data", "models"), registry.ModelsFolder);
    }

    public void Dispose() => _data.Dispose();
}
