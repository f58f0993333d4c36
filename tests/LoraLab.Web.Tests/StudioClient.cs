using System.Text.Json.Nodes;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Datasets;
using LoraLab.Web.Models;
using LoraLab.Web.Training;

namespace LoraLab.Web.Tests;

/// <summary>The HTTP API as a script would call it, with the waits the tests need.</summary>
public sealed class StudioClient(HttpClient http)
{
    public const string ChatJsonl = """
        {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}
        {"messages": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}]}
        """;

    public HttpClient Http => http;

    public async Task<HttpResponseMessage> UploadAsync(string fileName, string content, string? name = null, string? benchmark = null)
    {
        using var form = new MultipartFormDataContent();
        if (name is not null) form.Add(new StringContent(name), "name");
        if (benchmark is not null) form.Add(new StringContent(benchmark), "benchmark");
        form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(content)), "file", fileName);
        return await http.PostAsync("/api/datasets", form);
    }

    public async Task<DatasetSummary> UploadDatasetAsync(string fileName = "chat.jsonl", string content = ChatJsonl)
    {
        var response = await UploadAsync(fileName, content);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<DatasetSummary>(TestJson.Options))!;
    }

    public async Task<int> ModelIdAsync(string name)
    {
        var models = await http.GetFromJsonAsync<List<ModelSummary>>("/api/models", TestJson.Options);
        return models!.Single(m => m.Name == name).Id;
    }

    public async Task<RunSummary> CreateRunAsync(int modelId, int datasetId, string name = "run", string method = "lora")
    {
        var response = await http.PostAsJsonAsync("/api/runs", new NewRun(name, modelId, datasetId, method, new() { ["training"] = new JsonObject { ["learning_rate"] = 2e-4 } }), TestJson.Options);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<RunSummary>(TestJson.Options))!;
    }

    public async Task<RunSummary> PostAsync(string path, HttpStatusCode expected)
    {
        var response = await http.PostAsync(path, null);
        Assert.Equal(expected, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<RunSummary>(TestJson.Options))!;
    }

    public async Task<RunDetails> GetRunAsync(int runId) => (await http.GetFromJsonAsync<RunDetails>($"/api/runs/{runId}", TestJson.Options))!;

    public async Task<List<RunSummary>> ListRunsAsync() => (await http.GetFromJsonAsync<List<RunSummary>>("/api/runs", TestJson.Options))!;

    public async Task<List<MetricPoint>> MetricsAsync(int runId) =>
        (await http.GetFromJsonAsync<List<MetricPoint>>($"/api/runs/{runId}/metrics", TestJson.Options))!;

    /// <summary>Waits until the run has ended (neither queued nor running), for at most <paramref name="seconds"/>.</summary>
    public async Task<RunDetails> WaitForEndAsync(int runId, int seconds = 120)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var run = await GetRunAsync(runId);
            if (run.Run.Status is not (RunStatus.Queued or RunStatus.Running)) return run;
            if (DateTime.UtcNow > deadline) Assert.Fail($"Run {runId} is still {run.Run.Status} after {seconds} s.");
            await Task.Delay(50);
        }
    }

    public async Task<RunDetails> WaitForStatusAsync(int runId, RunStatus status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var run = await GetRunAsync(runId);
            if (run.Run.Status == status) return run;
            if (DateTime.UtcNow > deadline) Assert.Fail($"Run {runId} is {run.Run.Status} after 30 s, not {status} ({run.Run.ErrorMessage}).");
            await Task.Delay(25);
        }
    }
}
