using LoraLab.Web.Accounts;
using LoraLab.Engine.Data;
using LoraLab.Web.Datasets;
using LoraLab.Web.Tests.Components;

namespace LoraLab.Web.Tests.Datasets;

public sealed class DatasetInspectorTests : StudioComponentContext
{
    [Fact]
    public async Task Inspecting_with_a_model_stores_the_report_and_statistics_on_the_dataset()
    {
        TinyModelFolder.Write(Path.Combine(Data.ModelsFolder, "tiny"), withWeights: false);
        int modelId = (await Registry.SyncAsync()).Single().Id;
        var dataset = await AddDatasetAsync();

        var inspected = await Inspector.InspectAsync(dataset.Id, modelId, maxLength: 64);

        var stored = (await DatasetStore.FindAsync(dataset.Id, Caller.Local)).Value!;
        var validation = DatasetInspector.StoredValidation(stored)!;
        var statistics = DatasetInspector.StoredStatistics(stored)!;
        Assert.Equal((8, 5), (stored.RecordCount, stored.TrainRecordCount));
        Assert.Equal(("tiny", "chatml", 64), (validation.Model, validation.Template, validation.MaxLength));
        Assert.Equal([(3, IssueKind.EmptyCompletion), (5, IssueKind.InvalidJson), (7, IssueKind.MissingField)], validation.Report.Issues.Select(i => (i.Line, i.Kind)));
        Assert.Equal(inspected.Value!.Statistics, statistics with { Histogram = inspected.Value.Statistics!.Histogram });
        Assert.Equal(inspected.Value.Statistics!.Histogram, statistics.Histogram);
        Assert.Equal(5, statistics.Records);
        Assert.Equal(statistics.Tokens, statistics.PromptTokens + statistics.CompletionTokens);
    }

    [Fact]
    public async Task Without_a_model_only_the_fields_are_checked()
    {
        var dataset = await AddDatasetAsync();

        var inspected = await Inspector.InspectAsync(dataset.Id, modelId: null);

        var validation = inspected.Value!.Validation;
        Assert.Null(validation.Model);
        Assert.Null(inspected.Value.Statistics);
        Assert.Equal([3, 5, 7], validation.Report.Issues.Select(i => i.Line));
    }

    [Fact]
    public async Task A_file_with_no_usable_record_is_a_failure_that_names_the_reasons()
    {
        // Uploads are read before they are registered, so the file has to go bad afterwards, behind the studio's back.
        var dataset = await AddDatasetAsync("broken");
        await File.WriteAllTextAsync(dataset.FilePath, "not json\n{\"instruction\": \"x\"}\n");

        var inspected = await Inspector.InspectAsync(dataset.Id, modelId: null);

        Assert.Equal("The dataset cannot be used", inspected.Failure!.Title);
        Assert.Contains("line 1", inspected.Failure.Detail);
    }
}
