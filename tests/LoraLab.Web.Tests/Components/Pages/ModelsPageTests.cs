using Bunit;
using LoraLab.Web.Components.Pages.BaseModels;
using MudBlazor;

namespace LoraLab.Web.Tests.Components.Pages;

public sealed class ModelsPageTests : StudioComponentContext
{
    [Fact]
    public void Each_registered_model_gets_one_row_with_its_shape()
    {
        Data.AddModel("SmolLM2-135M", TempDataFolder.SmolLm2Config);
        Data.AddModel("SmolLM2-copy", TempDataFolder.SmolLm2Config);

        var page = Render<ModelsPage>();

        var rows = page.WaitForElements("#models tbody tr");
        Assert.Equal(2, rows.Count);
        var cells = rows[0].QuerySelectorAll("td").Skip(1).Select(td => td.TextContent.Trim()).ToArray();
        Assert.Equal("SmolLM2-135M", rows[0].QuerySelector(".model-name")!.TextContent);
        Assert.Equal(["LlamaForCausalLM", "135M", "30", "576", "9 / 3", "8192", "bfloat16", "local"], cells[..8]);
    }

    [Fact]
    public void A_folder_with_an_invalid_config_shows_the_error_message_in_its_row()
    {
        string folder = Data.AddModel("broken", TempDataFolder.ConfigWithoutVocabSize);

        var page = Render<ModelsPage>();

        var row = Assert.Single(page.WaitForElements("#models tbody tr"));
        Assert.Equal($"{Path.Combine(folder, "config.json")}: required field 'vocab_size' is missing.", row.QuerySelector(".model-error")!.TextContent.Trim());
    }

    [Fact]
    public void Without_models_the_page_says_where_to_put_a_model_folder()
    {
        var page = Render<ModelsPage>();

        string message = page.WaitForElement("#no-models").TextContent;
        Assert.Contains("No base models yet", message);
        Assert.Contains(Data.ModelsFolder, message);
    }

    [Fact]
    public void Registering_a_folder_the_engine_cannot_read_shows_why_under_the_path()
    {
        string folder = Data.AddOutsideFolder("broken", TempDataFolder.ConfigWithoutVocabSize);
        var page = Render<ModelsPage>();
        page.WaitForElement("#no-models");

        page.Find("#model-folder").Input(folder);
        page.Find("#register-button").Click();

        page.WaitForAssertion(() => Assert.Equal($"{Path.Combine(folder, "config.json")}: required field 'vocab_size' is missing.",
            page.Find("#model-folder").Closest(".mud-input-control")!.QuerySelector(".mud-input-helper-text")?.TextContent.Trim()));
        Assert.Empty(page.FindAll("#models"));
    }

    [Fact]
    public void Registering_a_valid_folder_elsewhere_adds_its_row()
    {
        string folder = Data.AddOutsideFolder("smol-elsewhere", TempDataFolder.SmolLm2Config);
        var page = Render<ModelsPage>();
        page.WaitForElement("#no-models");

        page.Find("#model-folder").Input(folder);
        page.Find("#register-button").Click();

        page.WaitForAssertion(() => Assert.Equal("smol-elsewhere", page.Find("#models .model-name").TextContent));
    }

    [Fact]
    public async Task Deleting_a_model_inside_the_models_folder_asks_first_then_removes_the_record_and_its_files()
    {
        string folder = Data.AddModel("SmolLM2-135M", TempDataFolder.SmolLm2Config);
        var dialogs = Render<MudDialogProvider>();
        var page = Render<ModelsPage>();
        page.WaitForElement("#models");

        page.Find(".delete-model").Click();
        var message = dialogs.WaitForElement(".mud-dialog").TextContent;
        Assert.Contains($"its folder {folder} with every file in it", message);
        dialogs.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Delete").Click();

        page.WaitForElement("#no-models");
        Assert.False(Directory.Exists(folder));
        Assert.Empty(await Registry.ListAsync());
    }
}
