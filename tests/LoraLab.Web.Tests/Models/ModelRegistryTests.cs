using LoraLab.Web.Models;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Tests.Models;

public sealed class ModelRegistryTests : IDisposable
{
    readonly TempDataFolder _data = new();

    ModelRegistry Registry(params string[] modelFolders) =>
        new(Options.Create(new LoraLabOptions { DataPath = _data.Path, ModelFolders = modelFolders }));

    [Fact]
    public void Every_sub_folder_of_models_with_a_config_is_listed_by_name_with_its_shape()
    {
        string folder = _data.AddModel("SmolLM2-135M", TempDataFolder.SmolLm2Config);
        _data.AddModel("another", TempDataFolder.SmolLm2Config);

        var models = Registry().List();

        Assert.Equal(["another", "SmolLM2-135M"], models.Select(m => m.Name));
        var smol = models[1];
        Assert.Equal(folder, smol.Folder);
        Assert.Null(smol.Error);
        Assert.Equal("LlamaForCausalLM", smol.Config!.Architecture);
        Assert.Equal("135M", smol.Parameters);
        Assert.Equal((30, 576, 9, 3, 8192, "bfloat16"),
            (smol.Config.NumHiddenLayers, smol.Config.HiddenSize, smol.Config.NumAttentionHeads,
             smol.Config.NumKeyValueHeads, smol.Config.MaxPositionEmbeddings, smol.Config.TorchDType));
    }

    [Fact]
    public void Sub_folders_of_models_without_a_config_are_not_models()
    {
        Directory.CreateDirectory(Path.Combine(_data.ModelsFolder, "downloads"));

        Assert.Empty(Registry().List());
    }

    [Fact]
    public void A_data_path_without_a_models_folder_lists_nothing()
    {
        Assert.False(Directory.Exists(_data.ModelsFolder));

        Assert.Empty(Registry().List());
    }

    [Fact]
    public void A_folder_with_an_invalid_config_is_listed_with_the_engine_message_naming_the_field()
    {
        string folder = _data.AddModel("broken", TempDataFolder.ConfigWithoutVocabSize);

        var broken = Assert.Single(Registry().List());

        Assert.Null(broken.Config);
        Assert.Equal("", broken.Parameters);
        Assert.Equal($"{Path.Combine(folder, "config.json")}: required field 'vocab_size' is missing.", broken.Error);
    }

    [Fact]
    public void A_configured_folder_outside_the_data_path_is_listed()
    {
        string folder = _data.AddOutsideFolder("external", TempDataFolder.SmolLm2Config);

        var model = Assert.Single(Registry(folder).List());

        Assert.Equal(("external", folder, "135M"), (model.Name, model.Folder, model.Parameters));
    }

    [Fact]
    public void A_configured_folder_without_a_config_is_listed_with_the_missing_file_named()
    {
        string folder = _data.AddOutsideFolder("empty", configJson: null);

        var model = Assert.Single(Registry(folder).List());

        Assert.Null(model.Config);
        Assert.StartsWith($"{Path.Combine(folder, "config.json")} does not exist", model.Error);
    }

    [Fact]
    public void A_folder_registered_twice_is_listed_once()
    {
        string folder = _data.AddModel("twice", TempDataFolder.SmolLm2Config);

        var models = Registry(folder, folder + Path.DirectorySeparatorChar).List();

        Assert.Equal(folder, Assert.Single(models).Folder);
    }

    [Fact]
    public void A_relative_data_path_is_resolved_against_the_current_directory()
    {
        var registry = new ModelRegistry(Options.Create(new LoraLabOptions { DataPath = "some-data" }));

        Assert.Equal(Path.Combine(Directory.GetCurrentDirectory(), "some-data", "models"), registry.ModelsFolder);
    }

    public void Dispose() => _data.Dispose();
}
