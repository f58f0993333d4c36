using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using LoraLab.Web.Tests;
using LoraLab.Web.Training;

namespace LoraLab.Web.BrowserTests;

/// <summary>LoRA runs queued over HTTP, as a script would queue them, and the waits the tests need.</summary>
internal static class TinyRuns
{
    public const string ModelName = "tiny-llama";

    /// <summary>Chat records in the tiny tokenizer's words, so every example is short and trains in milliseconds.</summary>
    public static string ChatDataset(int records) => string.Join('\n', Enumerable.Range(0, records).Select(i =>
        $$"""{"messages": [{"role": "user", "content": "name an animal {{i % 7}}"}, {"role": "assistant", "content": "the cat sat on the mat {{i % 5}}"}]}"""));

    public static async Task<RunSummary> CreateAsync(
        StudioClient client, int modelId, int datasetId, string name, int maxSteps, int? saveSteps = null, int batchSize = 2, int maxLength = 48)
    {
        var configuration = new JsonObject
        {
            ["method"] = new JsonObject { ["method"] = "lora", ["r"] = 4, ["lora_alpha"] = 8 },
            ["training"] = new JsonObject
            {
                ["max_steps"] = maxSteps, ["save_steps"] = saveSteps, ["batch_size"] = batchSize, ["learning_rate"] = 1e-3, ["seed"] = 5,
            },
            ["data"] = new JsonObject { ["max_length"] = maxLength },
        };
        var response = await client.Http.PostAsJsonAsync("/api/runs", new NewRun(name, modelId, datasetId, "lora", configuration), TestJson.Options);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<RunSummary>(TestJson.Options))!;
    }

    /// <summary>Polls the run until <paramref name="done"/> holds; the failure message carries the studio's output.</summary>
    public static async Task<RunDetails> WaitUntilAsync(StudioClient client, int runId, Func<RunDetails, bool> done, string what, StudioProcess studio, int seconds = 240)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var run = await client.GetRunAsync(runId);
            if (done(run)) return run;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"Run {runId} is {run.Run.Status} after {seconds} s, not {what} ({run.Run.ErrorMessage}).\nThe studio's output:\n{studio.Output}");
            await Task.Delay(20);
        }
    }
}
