using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace LoraLab.Web.BrowserTests;

/// <summary>
/// <c>loralab judge --endpoint</c> against a real OpenAI-compatible server on a real port (the studio process serving
/// the demo adapters): each judgment is what the server answers to the same conversation asked directly.
/// </summary>
public sealed class CliEndpointJudgeTests(DemoStudio demo) : IClassFixture<DemoStudio>
{
    const string System = "Pick the better answer.";
    const string Template = "Say it like a pirate.\n\n{question} {answer_a} {answer_b}";
    const int JudgmentTokens = 16;

    [Fact]
    public async Task An_endpoint_judges_every_pair_in_both_orders_with_what_the_server_answers()
    {
        string folder = Directory.CreateTempSubdirectory("loralab-judge-").FullName;
        try
        {
            string data = Path.Combine(folder, "pairs.jsonl"), prompt = Path.Combine(folder, "prompt.json");
            await File.WriteAllTextAsync(data, """
                {"question": "Where is the cat?", "answer_a": "the red cat is at the park.", "answer_b": "the cat is at the bridge."}
                {"question": "Who is it?", "answer_a": "nora.", "answer_b": "tom lost a lamp."}
                """);
            await File.WriteAllTextAsync(prompt, JsonSerializer.Serialize(new { system = System, template = Template }));

            var (exitCode, output, error) = await RunCliAsync("judge", "--endpoint", $"{demo.Server.Url}/v1", "--endpoint-model", "demo pirate-style",
                "--data", data, "--prompt", prompt, "--max-new-tokens", $"{JudgmentTokens}", "--json");

            Assert.True(exitCode == 0, error);
            using var result = JsonDocument.Parse(output);
            Assert.Equal(2, result.RootElement.GetProperty("pairs").GetInt32());
            var first = result.RootElement.GetProperty("verdicts")[0].GetProperty("judgments");
            Assert.Equal(await AskDirectlyAsync("Say it like a pirate.\n\nWhere is the cat? the red cat is at the park. the cat is at the bridge."), first[0].GetString());
            Assert.Equal(await AskDirectlyAsync("Say it like a pirate.\n\nWhere is the cat? the cat is at the bridge. the red cat is at the park."), first[1].GetString());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_judge_named_twice_or_half_is_refused_in_one_sentence()
    {
        string pair = Path.Combine(Path.GetTempPath(), $"loralab-pair-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllTextAsync(pair, """{"question": "q", "answer_a": "a", "answer_b": "b"}""");
        var both = await RunCliAsync("judge", "--model", "/nowhere", "--endpoint", "http://127.0.0.1:1/v1", "--endpoint-model", "m", "--data", pair);
        var noModel = await RunCliAsync("judge", "--endpoint", $"{demo.Server.Url}/v1", "--data", pair);
        File.Delete(pair);

        Assert.Equal(1, both.ExitCode);
        Assert.Contains("error: Choose one judge: --model or --endpoint, not both.", both.Error);
        Assert.Equal(1, noModel.ExitCode);
        Assert.Contains("error: --endpoint needs --endpoint-model", noModel.Error);
    }

    async Task<string> AskDirectlyAsync(string user)
    {
        using var http = new HttpClient { BaseAddress = new Uri(demo.Server.Url) };
        var response = await http.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "demo pirate-style", temperature = 0, max_tokens = JudgmentTokens,
            messages = new[] { new { role = "system", content = System }, new { role = "user", content = user } },
        });
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
    }

    /// <summary>The built CLI (tests/…/bin/{Configuration}/{tfm} → src/LoraLab.Cli/bin/{Configuration}/{tfm}/loralab.dll) as a process.</summary>
    static async Task<(int ExitCode, string Output, string Error)> RunCliAsync(params string[] args)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string cli = Path.Combine(StudioProcess.RepositoryRoot(), "src", "LoraLab.Cli", "bin", output.Parent!.Name, output.Name, "loralab.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(cli);
        foreach (string arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }
}
