using System.Net;
using System.Net.Http.Json;
using LoraLab.Web.Adapters;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Playground;

namespace LoraLab.Web.Tests.Playground;

/// <summary>
/// The studio on the bundled demo model with its trained demo adapters registered at start-up, driven through the
/// playground API.
/// </summary>
public sealed class PlaygroundApiTests : IAsyncLifetime
{
    readonly TempDataFolder _data = new();
    StudioAppFactory _app = null!;
    HttpClient _http = null!;

    public Task InitializeAsync()
    {
        _app = new StudioAppFactory(_data, executor: null, ("LoraLab:RegisterDemo", "true"), ("LoraLab:DemoModelPath", DemoAdapterFiles.DemoModel),
            ("LoraLab:DemoDatasetsPath", Path.Combine(_data.Path, "no-demo-datasets")), ("LoraLab:DemoAdaptersPath", DemoAdapterFiles.BundledAdapters));
        _http = _app.CreateClient();
        return Task.CompletedTask;
    }

    async Task<(int BaseModelId, int Name, int Pirate)> DemoAsync()
    {
        var adapters = await _http.GetFromJsonAsync<List<AdapterSummary>>("/api/adapters", TestJson.Options);
        var name = adapters!.Single(a => a.Name == "demo extract-name");
        var pirate = adapters!.Single(a => a.Name == "demo pirate-style");
        return (name.BaseModelId, name.Id, pirate.Id);
    }

    async Task<PlaygroundAnswers> GenerateAsync(int baseModelId, IReadOnlyList<int?> adapterIds)
    {
        var request = new PlaygroundRequest(baseModelId, adapterIds.Select(id => new PlaygroundColumn(id)).ToList(),
            PlaygroundPrompt.Chat("Who is this sentence about?\n\nnora lost a green lamp at the bridge."), new SamplingSettings { MaxNewTokens = 12 });
        var response = await _http.PostAsJsonAsync("/api/playground/generate", request, TestJson.Options);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<PlaygroundAnswers>(TestJson.Options))!;
    }

    [Fact]
    public async Task Two_adapters_and_the_base_answer_in_one_batch_exactly_what_each_answers_alone_with_greedy_decoding()
    {
        var (baseModelId, name, pirate) = await DemoAsync();

        var together = await GenerateAsync(baseModelId, [null, name, pirate]);
        var alone = new[] { await GenerateAsync(baseModelId, [null]), await GenerateAsync(baseModelId, [name]), await GenerateAsync(baseModelId, [pirate]) };

        Assert.Equal(1, together.Batches);
        Assert.Equal(["base model only", "demo extract-name", "demo pirate-style"], together.Columns.Select(c => c.Name));
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(alone[c].Columns[0].Text, together.Columns[c].Text);
            Assert.Equal(alone[c].Columns[0].Tokens, together.Columns[c].Tokens);
        }
        // Each adapter does its own task on the same prompt (the pirate one talks like a pirate, whatever it is asked).
        Assert.Equal("nora", together.Columns[1].Text);
        Assert.Contains(", arr", together.Columns[2].Text);
        Assert.Equal(3, together.Columns.Select(c => c.Text).Distinct().Count());
        Assert.All(together.Columns.Skip(1), c => Assert.True(c.TokensPerSecond > 0, $"{c.Name} has no tokens/s"));
    }

    [Fact]
    public async Task Votes_give_an_elo_table_per_base_model_and_a_vote_between_a_column_and_itself_is_refused()
    {
        var (baseModelId, name, pirate) = await DemoAsync();

        foreach (var (a, b, choice) in new (int?, int?, VoteChoice)[] { (name, null, VoteChoice.A), (pirate, name, VoteChoice.B), (null, pirate, VoteChoice.Tie) })
        {
            var vote = await _http.PostAsJsonAsync("/api/playground/votes", new NewVote(baseModelId, a, b, choice, "prompt", "answer a", "answer b"), TestJson.Options);
            Assert.Equal(HttpStatusCode.Created, vote.StatusCode);
        }
        var same = await _http.PostAsJsonAsync("/api/playground/votes", new NewVote(baseModelId, name, name, VoteChoice.A, "p", "a", "b"), TestJson.Options);
        var ratings = (await _http.GetFromJsonAsync<List<ColumnRating>>($"/api/playground/ratings/{baseModelId}", TestJson.Options))!;

        Assert.Contains("adapterBId", (await ProblemAssert.ReadAsync(same, HttpStatusCode.BadRequest)).Errors.Keys);
        Assert.Equal(["demo extract-name", "demo pirate-style", "base model only"], ratings.Select(r => r.Name));
        Assert.Equal((2, 0, 2), (ratings[0].Wins, ratings[0].Losses, ratings[0].Games));
    }

    [Fact]
    public async Task A_prompt_set_from_typed_lines_scores_every_column_on_the_references()
    {
        var (baseModelId, name, _) = await DemoAsync();
        var items = PromptSetExample.ParseLines("Who is this sentence about? tom hopped to the shop. => tom\nSay something");

        var response = await _http.PostAsJsonAsync("/api/playground/prompt-set",
            new PromptSetRequest(baseModelId, [new PlaygroundColumn(null), new PlaygroundColumn(name)], Items: items, Sampling: new SamplingSettings { MaxNewTokens = 6 }), TestJson.Options);
        var result = (await response.Content.ReadFromJsonAsync<PromptSetResult>(TestJson.Options))!;

        Assert.Equal(2, result.Rows.Count);
        Assert.All(result.Rows, row => Assert.Equal(2, row.Outputs.Count));
        Assert.All(result.Columns, score => Assert.Equal(1, score.WithReference));
        Assert.All(result.Columns, score => Assert.True(score.Perplexity > 1, $"{score.Name}: perplexity {score.Perplexity}"));
        Assert.NotEqual(result.Columns[0].Loss, result.Columns[1].Loss);
    }

    [Fact]
    public async Task An_adapter_of_another_base_model_or_too_many_columns_are_refused_with_the_reason()
    {
        var (baseModelId, name, _) = await DemoAsync();
        _data.AddModel("other", TempDataFolder.SmolLm2Config);
        var models = await _http.GetFromJsonAsync<List<LoraLab.Web.Models.ModelSummary>>("/api/models", TestJson.Options);
        int other = models!.Single(m => m.Name == "other").Id;
        var prompt = PlaygroundPrompt.Chat("hi");

        var wrongBase = await _http.PostAsJsonAsync("/api/playground/generate", new PlaygroundRequest(other, [new PlaygroundColumn(name)], prompt), TestJson.Options);
        var tooMany = await _http.PostAsJsonAsync("/api/playground/generate",
            new PlaygroundRequest(baseModelId, Enumerable.Repeat(new PlaygroundColumn(null), 7).ToList(), prompt), TestJson.Options);

        var problem = await ProblemAssert.ReadAsync(wrongBase, HttpStatusCode.BadRequest);
        Assert.StartsWith("Adapter 'demo extract-name' was trained on", problem.Errors["columns"][0]);
        Assert.StartsWith("Choose between 1 and 6 columns; got 7.", (await ProblemAssert.ReadAsync(tooMany, HttpStatusCode.BadRequest)).Errors["columns"][0]);
    }

    [Fact]
    public async Task A_saved_session_comes_back_with_its_columns_prompt_and_answers()
    {
        var (baseModelId, name, _) = await DemoAsync();
        var answers = await GenerateAsync(baseModelId, [null, name]);
        var state = new PlaygroundSessionState(baseModelId, [new PlaygroundColumn(null), new PlaygroundColumn(name, new SamplingSettings { Temperature = 0.7, Seed = 3 })],
            new SamplingSettings { MaxNewTokens = 12 }, false, "be brief", [], "Who is this sentence about?", answers);

        var saved = await _http.PostAsJsonAsync("/api/playground/sessions", new LoraLab.Web.Apis.PlaygroundApi.NewSession("demo comparison", state.ToJson()), TestJson.Options);
        var id = (await saved.Content.ReadFromJsonAsync<PlaygroundSessionSummary>(TestJson.Options))!.Id;
        var loaded = await _http.GetFromJsonAsync<PlaygroundSessionSummary>($"/api/playground/sessions/{id}", TestJson.Options);
        var restored = PlaygroundSessionState.FromJson(loaded!.Payload)!;

        Assert.Equal(HttpStatusCode.Created, saved.StatusCode);
        Assert.Equal([null, name], restored.Columns.Select(c => c.AdapterId));
        Assert.Equal((null, 0.7, 3L), (restored.Columns[0].Sampling, restored.Columns[1].Sampling!.Temperature, restored.Columns[1].Sampling!.Seed));
        Assert.Equal(answers.Columns.Select(c => c.Text), restored.Answers!.Columns.Select(c => c.Text));
        Assert.Equal(state.Prompt.Messages, restored.Prompt.Messages);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
        _data.Dispose();
    }
}
