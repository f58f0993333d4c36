using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using LoraLab.Web.Datasets;
using LoraLab.Web.Tests.Training;

namespace LoraLab.Web.Tests.Apis;

public sealed class DatasetsApiTests : IAsyncLifetime
{
    readonly TempDataFolder _data = new();
    readonly ScriptedExecutor _executor = new() { BlockBeforeStep = 1 };
    StudioAppFactory _app = null!;
    StudioClient _studio = null!;

    public Task InitializeAsync()
    {
        _data.AddModel("SmolLM2-135M", TempDataFolder.SmolLm2Config);
        _app = new StudioAppFactory(_data, _executor, ("LoraLab:MaxDatasetUploadBytes", "1000"));
        _studio = new StudioClient(_app.CreateClient());
        return Task.CompletedTask;
    }

    [Fact]
    public async Task An_uploaded_file_is_stored_under_datasets_with_its_name_format_and_size_and_listed()
    {
        var response = await _studio.UploadAsync("chat.jsonl", StudioClient.ChatJsonl, name: "Greetings");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var dataset = (await response.Content.ReadFromJsonAsync<DatasetSummary>(TestJson.Options))!;
        string file = await _app.DatasetFileAsync(dataset.Id);
        Assert.Equal($"/api/datasets/{dataset.Id}", response.Headers.Location!.OriginalString);
        Assert.Equal(Path.Combine(_data.Path, "datasets", $"{dataset.Id}-chat.jsonl"), file);
        Assert.Equal(StudioClient.ChatJsonl, await File.ReadAllTextAsync(file));
        Assert.Equal(("Greetings", "jsonl", (long)StudioClient.ChatJsonl.Length), (dataset.Name, dataset.Format, dataset.SizeBytes));
        var listed = await _studio.Http.GetFromJsonAsync<JsonArray>("/api/datasets", TestJson.Options);
        Assert.Equal(dataset.Id, Assert.Single(listed!)!["id"]!.GetValue<int>());
        Assert.False(listed![0]!.AsObject().ContainsKey("filePath"), "the API sends no server path");
    }

    [Fact]
    public async Task Deleting_a_dataset_deletes_its_file()
    {
        var dataset = await _studio.UploadDatasetAsync("table.csv", "prompt,completion\nhi,hello\n");
        string file = await _app.DatasetFileAsync(dataset.Id);

        var response = await _studio.Http.DeleteAsync($"/api/datasets/{dataset.Id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(File.Exists(file));
        Assert.Empty((await _studio.Http.GetFromJsonAsync<List<DatasetSummary>>("/api/datasets", TestJson.Options))!);
    }

    [Fact]
    public async Task A_dataset_a_queued_or_running_run_needs_cannot_be_deleted()
    {
        var dataset = await _studio.UploadDatasetAsync();
        var run = await _studio.CreateRunAsync(await _studio.ModelIdAsync("SmolLM2-135M"), dataset.Id);
        await _executor.WaitUntilBlockedAsync();

        var problem = await ProblemAssert.ReadAsync(await _studio.Http.DeleteAsync($"/api/datasets/{dataset.Id}"), HttpStatusCode.Conflict);

        Assert.Equal("The dataset is in use", problem.Title);
        Assert.Contains($"run(s) {run.Id}", problem.Detail);
        Assert.True(File.Exists(await _app.DatasetFileAsync(dataset.Id)));
    }

    [Theory]
    [InlineData("notes.txt", "hello", "'notes.txt' is not a dataset file: use a .jsonl, .json or .csv file.")]
    [InlineData("empty.jsonl", "", "'empty.jsonl' is empty.")]
    public async Task A_file_of_another_kind_or_an_empty_one_is_refused_with_the_file_named(string fileName, string content, string message)
    {
        var problem = await ProblemAssert.ReadAsync(await _studio.UploadAsync(fileName, content), HttpStatusCode.BadRequest);

        Assert.Equal([message], problem.Errors["file"]);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_data.Path, "datasets")));
    }

    [Fact]
    public async Task A_file_over_the_size_limit_is_refused_with_413_and_not_kept()
    {
        var problem = await ProblemAssert.ReadAsync(await _studio.UploadAsync("big.jsonl", new string('x', 1001)), HttpStatusCode.RequestEntityTooLarge);

        Assert.Equal("The dataset is too large", problem.Title);
        Assert.Contains("LoraLab:MaxDatasetUploadBytes", problem.Detail);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_data.Path, "datasets")));
    }

    public async Task DisposeAsync()
    {
        _executor.Release();
        await _app.DisposeAsync();
        _data.Dispose();
    }
}
