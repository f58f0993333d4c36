using LoraLab.Web.Accounts;
using Bunit;
using LoraLab.Web.Components.Pages.Datasets;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;

namespace LoraLab.Web.Tests.Components.Pages;

public sealed class DatasetsPageTests() : StudioComponentContext(maxDatasetUploadBytes: 2048)
{
    [Fact]
    public async Task An_uploaded_file_is_stored_validated_with_the_first_model_and_opened()
    {
        TinyModelFolder.Write(Path.Combine(Data.ModelsFolder, "tiny"), withWeights: false);
        await Registry.SyncAsync();
        var page = Render<DatasetsPage>();
        page.WaitForElement("#no-datasets");

        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(TinyModelFolder.AlpacaWithIssues, "answers.jsonl"));

        var navigation = Services.GetRequiredService<NavigationManager>();
        page.WaitForAssertion(() => Assert.Matches(@"/datasets/\d+$", navigation.Uri), TimeSpan.FromSeconds(10));
        var dataset = Assert.Single(await DatasetStore.ListAsync(Caller.Local));
        Assert.Equal(("answers", 8, 5), (dataset.Name, dataset.RecordCount, dataset.TrainRecordCount));
        Assert.Equal("tiny", LoraLab.Web.Datasets.DatasetInspector.StoredValidation(dataset)!.Model);
    }

    [Fact]
    public async Task A_file_over_the_upload_limit_is_refused_with_the_limit_and_the_setting()
    {
        var page = Render<DatasetsPage>();
        page.WaitForElement("#no-datasets");

        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(new string('x', 4096), "big.jsonl"));

        string message = page.WaitForElement("[data-failure='TooLarge']").TextContent;
        Assert.Contains("'big.jsonl' has 4.0 KiB; a dataset upload may have at most 2.0 KiB (setting LoraLab:MaxDatasetUploadBytes).", message);
        Assert.Empty(await DatasetStore.ListAsync(Caller.Local));
    }

    [Fact]
    public async Task A_file_that_holds_no_usable_record_is_refused_with_the_reasons_and_not_listed()
    {
        var page = Render<DatasetsPage>();
        page.WaitForElement("#no-datasets");

        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("{\"instruction\": \"hi\", \"output\": \"\"}\nnot json\n", "empty-answers.jsonl"));

        string message = page.WaitForElement("[data-failure='Invalid']").TextContent;
        Assert.Contains("The file is not a usable dataset.", message);
        Assert.Contains("'empty-answers.jsonl': none of its 2 records is usable as alpaca data: line 1: field 'output' is empty; line 2: invalid JSON", message);
        Assert.Empty(await DatasetStore.ListAsync(Caller.Local));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Data.Path, "datasets")));
    }

    [Fact]
    public async Task A_file_of_another_kind_is_refused_with_the_kinds_that_are_accepted()
    {
        var page = Render<DatasetsPage>();
        page.WaitForElement("#no-datasets");

        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("a,b", "notes.txt"));

        Assert.Contains("'notes.txt' is not a dataset file: use a .jsonl, .json or .csv file.", page.WaitForElement("[data-failure]").TextContent);
        Assert.Empty(await DatasetStore.ListAsync(Caller.Local));
    }
}
