using System.Net;
using System.Net.Http.Json;
using System.Text;
using LoraLab.Web.Datasets;

namespace LoraLab.Web.Tests.Apis;

/// <summary>Uploads from an untrusted client: hostile names, oversized parts and files that are not datasets.</summary>
public sealed class DatasetUploadTests : IAsyncLifetime
{
    readonly TempDataFolder _data = new();
    StudioAppFactory _app = null!;
    StudioClient _studio = null!;

    string DatasetsFolder => Path.Combine(_data.Path, "datasets");

    public Task InitializeAsync()
    {
        _app = new StudioAppFactory(_data, executor: null, ("LoraLab:MaxDatasetUploadBytes", "4096"));
        _studio = new StudioClient(_app.CreateClient());
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData("../../escaped.jsonl", "escaped.jsonl")]
    [InlineData("..\\..\\escaped.jsonl", "escaped.jsonl")]
    [InlineData("/tmp/escaped.jsonl", "escaped.jsonl")]
    [InlineData("../loralab.db", null)]
    [InlineData(".jsonl", "dataset.jsonl")]
    public async Task A_file_name_with_a_path_is_stored_by_its_last_segment_inside_the_datasets_folder(string clientName, string? storedName)
    {
        var response = await _studio.UploadAsync(clientName, StudioClient.ChatJsonl);

        if (storedName is null)
        {
            // "loralab.db" is no dataset extension: refused before a byte is written.
            await ProblemAssert.ReadAsync(response, HttpStatusCode.BadRequest);
            Assert.Empty(Directory.EnumerateFileSystemEntries(DatasetsFolder));
            return;
        }
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var dataset = (await response.Content.ReadFromJsonAsync<DatasetSummary>(TestJson.Options))!;
        string file = await _app.DatasetFileAsync(dataset.Id);
        Assert.Equal(Path.Combine(DatasetsFolder, $"{dataset.Id}-{storedName}"), file);
        Assert.Equal([file], Directory.EnumerateFileSystemEntries(DatasetsFolder));
        Assert.False(File.Exists(Path.Combine(_data.Path, "escaped.jsonl")) || File.Exists(Path.Combine(Path.GetTempPath(), "escaped.jsonl")));
    }

    [Fact]
    public async Task An_upload_never_overwrites_a_file_already_in_the_datasets_folder()
    {
        // Left by an earlier data folder whose database was replaced: the next dataset would get id 1 and the same name.
        Directory.CreateDirectory(DatasetsFolder);
        string inTheWay = Path.Combine(DatasetsFolder, "1-chat.jsonl");
        File.WriteAllText(inTheWay, "precious");

        var problem = await ProblemAssert.ReadAsync(await _studio.UploadAsync("chat.jsonl", StudioClient.ChatJsonl), HttpStatusCode.Conflict);

        Assert.Equal("A file is in the way", problem.Title);
        Assert.Equal($"{inTheWay} already exists and no dataset record refers to it; move it out of the data folder and upload again.", problem.Detail);
        Assert.Equal("precious", File.ReadAllText(inTheWay));
        Assert.Equal([inTheWay], Directory.EnumerateFileSystemEntries(DatasetsFolder));
        Assert.Empty((await _studio.Http.GetFromJsonAsync<List<DatasetSummary>>("/api/datasets", TestJson.Options))!);
    }

    [Theory]
    [InlineData("junk.jsonl", "\u0089PNG\r\n\u001a\n\0\0\0\rIHDR", "'junk.jsonl': cannot tell the dataset format: the first records have the fields (no JSON object)")]
    [InlineData("fields.jsonl", "{\"question\": \"hi\", \"answer\": \"hello\"}\n", "'fields.jsonl': cannot tell the dataset format: the first records have the fields 'question', 'answer'")]
    [InlineData("broken.json", "[{\"text\": \"a\"}, {\"text\": ", "'broken.json': not valid JSON at line 1")]
    [InlineData("object.json", "{\"text\": \"a\"}", "'object.json': the top-level JSON value is an object, expected an array of records")]
    [InlineData("header.csv", "prompt,prompt\nhi,hello\n", "'header.csv': the header names column 'prompt' twice")]
    [InlineData("blank.jsonl", "\n\n   \n", "'blank.jsonl' holds no records")]
    public async Task A_file_that_is_not_a_readable_dataset_is_refused_with_the_reason_and_not_kept(string fileName, string content, string reason)
    {
        var problem = await ProblemAssert.ReadAsync(await _studio.UploadAsync(fileName, content), HttpStatusCode.BadRequest);

        Assert.StartsWith(reason, Assert.Single(problem.Errors["file"]));
        Assert.Empty(Directory.EnumerateFileSystemEntries(DatasetsFolder));
        Assert.Empty((await _studio.Http.GetFromJsonAsync<List<DatasetSummary>>("/api/datasets", TestJson.Options))!);
    }

    [Fact]
    public async Task An_accepted_upload_records_how_many_records_it_holds()
    {
        var dataset = await _studio.UploadDatasetAsync("answers.jsonl", TinyModelFolder.AlpacaWithIssues);

        Assert.Equal(8, dataset.RecordCount);
    }

    [Fact]
    public async Task A_name_field_over_the_limit_is_refused_without_reading_it_whole()
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent(new string('n', 100_000)), "name" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(StudioClient.ChatJsonl)), "file", "chat.jsonl" },
        };

        var problem = await ProblemAssert.ReadAsync(await _studio.Http.PostAsync("/api/datasets", form), HttpStatusCode.BadRequest);

        Assert.Equal([$"The name has more than {DatasetStore.MaxNameLength} characters; at most {DatasetStore.MaxNameLength} are allowed."], problem.Errors["name"]);
        Assert.Empty(Directory.EnumerateFileSystemEntries(DatasetsFolder));
    }

    [Fact]
    public async Task A_file_over_the_size_limit_is_refused_with_413_naming_the_setting_and_not_kept()
    {
        var problem = await ProblemAssert.ReadAsync(await _studio.UploadAsync("big.jsonl", new string('x', 4097)), HttpStatusCode.RequestEntityTooLarge);

        Assert.Equal("'big.jsonl' is larger than the 4,096 bytes a dataset upload may have (setting LoraLab:MaxDatasetUploadBytes).", problem.Detail);
        Assert.Empty(Directory.EnumerateFileSystemEntries(DatasetsFolder));
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _data.Dispose();
    }
}
