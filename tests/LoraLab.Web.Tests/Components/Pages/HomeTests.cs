using Bunit;
using LoraLab.Engine.Devices;
using LoraLab.Web.Components.Pages;
using LoraLab.Web.Models;
using LoraLab.Web.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Tests.Components.Pages;

public sealed class HomeTests : MudBlazorContext
{
    readonly TempDataFolder _data = new();

    public HomeTests()
    {
        Services.AddSingleton(ComputeDevice.Cpu);
        var options = new LoraLabOptions { DataPath = _data.Path };
        Services.AddSingleton(new ModelRegistry(TestDatabase.Create(_data.Path), new DataFolder(_data.Path), Options.Create(options), TimeProvider.System));
    }

    [Fact]
    public void The_device_is_shown_by_name_with_the_cpu_thread_count()
    {
        var home = Render<Home>();

        Assert.Equal($"CPU ({Environment.ProcessorCount} threads)", home.Find("#device-name").TextContent);
    }

    [Fact]
    public void Each_registered_model_gets_one_row_with_its_shape()
    {
        _data.AddModel("SmolLM2-135M", TempDataFolder.SmolLm2Config);
        _data.AddModel("SmolLM2-copy", TempDataFolder.SmolLm2Config);

        var home = Render<Home>();

        home.WaitForElement("#models");
        var rows = home.FindAll("#models tbody tr");
        Assert.Equal(2, rows.Count);
        var cells = rows[0].QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToArray();
        Assert.Equal(["SmolLM2-135M", "LlamaForCausalLM", "135M", "30", "576", "9 / 3", "8192", "bfloat16"], cells[..8]);
        Assert.Empty(home.FindAll("#no-models"));
    }

    [Fact]
    public void A_folder_with_an_invalid_config_shows_the_error_message_in_its_row()
    {
        string folder = _data.AddModel("broken", TempDataFolder.ConfigWithoutVocabSize);

        var home = Render<Home>();

        home.WaitForElement("#models");
        var row = Assert.Single(home.FindAll("#models tbody tr"));
        Assert.Equal($"{Path.Combine(folder, "config.json")}: required field 'vocab_size' is missing.",
            row.QuerySelector(".model-error")!.TextContent.Trim());
        Assert.Contains("broken", row.TextContent);
    }

    [Fact]
    public void Without_models_the_page_says_where_to_put_a_model_folder()
    {
        var home = Render<Home>();

        string message = home.WaitForElement("#no-models").TextContent;
        Assert.Contains("No base models yet", message);
        Assert.Contains(_data.ModelsFolder, message);
        Assert.Empty(home.FindAll("#models"));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _data.Dispose();
        base.Dispose(disposing);
    }
}
