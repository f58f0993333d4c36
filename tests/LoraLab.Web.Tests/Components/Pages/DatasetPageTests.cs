using Bunit;
using LoraLab.Web.Components.Pages.Datasets;

namespace LoraLab.Web.Tests.Components.Pages;

public sealed class DatasetPageTests : StudioComponentContext
{
    [Fact]
    public async Task The_validation_lists_each_left_out_record_by_its_line_with_the_reason()
    {
        TinyModelFolder.Write(Path.Combine(Data.ModelsFolder, "tiny"), withWeights: false);
        int modelId = (await Registry.SyncAsync()).Single().Id;
        var dataset = await AddDatasetAsync();
        await Inspector.InspectAsync(dataset.Id, modelId);

        var page = Render<DatasetPage>(p => p.Add(x => x.DatasetId, dataset.Id));

        var rows = page.WaitForElements("#issues tbody tr");
        var issues = rows.Select(r => (r.QuerySelector(".issue-line")!.TextContent.Trim(), r.QuerySelectorAll("td")[1].TextContent.Trim())).ToList();
        Assert.Equal([("3", "empty completion"), ("5", "invalid json"), ("7", "missing field")], issues);
        Assert.Contains("missing field 'instruction'", rows[2].QuerySelector(".issue-reason")!.TextContent);
        Assert.Equal(["8", "5", "0", "3"], page.FindAll("#validation-summary .summary-value").Select(v => v.TextContent.Trim()));
    }

    [Fact]
    public async Task The_preview_highlights_the_answer_and_the_end_of_turn_as_what_the_model_learns()
    {
        TinyModelFolder.Write(Path.Combine(Data.ModelsFolder, "tiny"), withWeights: false);
        await Registry.SyncAsync();
        var dataset = await AddDatasetAsync();

        var page = Render<DatasetPage>(p => p.Add(x => x.DatasetId, dataset.Id));

        var first = page.WaitForElement(".preview-example[data-line='1']");
        Assert.Equal("Paris is the capital of France.<|im_end|>", string.Concat(first.QuerySelectorAll(".completion").Select(c => c.TextContent)));
        Assert.Contains("<|im_start|>user\nWhat is the capital of France?<|im_end|>", string.Concat(first.QuerySelectorAll(".prompt").Select(c => c.TextContent)));
        Assert.Equal(5, page.FindAll(".preview-example").Count);
    }

    [Fact]
    public async Task Without_a_model_the_page_says_where_to_register_one()
    {
        var dataset = await AddDatasetAsync();

        var page = Render<DatasetPage>(p => p.Add(x => x.DatasetId, dataset.Id));

        page.WaitForElement("#no-model-for-dataset");
        Assert.NotNull(page.Find("#not-validated"));
    }
}
