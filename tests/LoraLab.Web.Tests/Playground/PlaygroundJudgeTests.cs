using System.Net;
using System.Net.Http.Json;
using LoraLab.Engine.Evaluation.Judging;
using ChatMessage = LoraLab.Engine.Tokenization.ChatMessage;
using LoraLab.Web.Adapters;
using LoraLab.Web.Playground;
using LoraLab.Web.Tests.Serving;
using OpenAI.Chat;

namespace LoraLab.Web.Tests.Playground;

/// <summary>
/// POST /api/playground/judge on the demo model: a studio model or an OpenAI-compatible endpoint (here the studio's own
/// /v1, read by the official OpenAI client inside the engine) judges two answers in both orders, and the verdict is a
/// vote in the win table, marked as the judge's.
/// </summary>
public sealed class PlaygroundJudgeTests(OpenAiStudio studio) : IClassFixture<OpenAiStudio>
{
    // The demo model's context is 512 tokens: MT-Bench's prompt does not fit, so the tests edit it, as a user would.
    const string System = "Pick the better answer.";
    const string Template = "Say it like a pirate.\n\n{question} {answer_a} {answer_b}";
    const string Question = "Where is the cat?";
    const int JudgmentTokens = 24;

    static readonly JudgePrompt Prompt = new(System, Template);

    async Task<(int BaseModelId, int Name, int Pirate)> DemoAsync()
    {
        var adapters = (await studio.Http.GetFromJsonAsync<List<AdapterSummary>>("/api/adapters", TestJson.Options))!;
        var name = adapters.Single(a => a.Name == OpenAiStudio.Name);
        return (name.BaseModelId, name.Id, adapters.Single(a => a.Name == OpenAiStudio.Pirate).Id);
    }

    JudgeRequest Request(int baseModelId, int? a, int? b, JudgeChoice judge) =>
        new(baseModelId, a, b, Question, "the red cat is at the park.", "the cat is at the bridge.", judge, System, Template, JudgmentTokens);

    async Task<HttpResponseMessage> AskAsync(JudgeRequest request) => await studio.Http.PostAsJsonAsync("/api/playground/judge", request, TestJson.Options);

    /// <summary>What the playground answers to the judging conversation itself, greedily.</summary>
    async Task<string> PlaygroundAnswerAsync(int baseModelId, int? adapterId, string user)
    {
        var request = new PlaygroundRequest(baseModelId, [new PlaygroundColumn(adapterId)],
            new PlaygroundPrompt([new ChatMessage("system", System), new ChatMessage("user", user)]), new SamplingSettings { MaxNewTokens = JudgmentTokens });
        var response = await studio.Http.PostAsJsonAsync("/api/playground/generate", request, TestJson.Options);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<PlaygroundAnswers>(TestJson.Options))!.Columns[0].Text;
    }

    static string Winner(IReadOnlyList<string> judgments) => (JudgeVerdicts.Pairwise(judgments[0]), JudgeVerdicts.Pairwise(judgments[1])) switch
    {
        (PairwiseVerdict.A, PairwiseVerdict.B) => "A",
        (PairwiseVerdict.B, PairwiseVerdict.A) => "B",
        _ => "tie",
    };

    [Fact]
    public async Task A_studio_model_judges_in_both_orders_and_its_verdict_counts_in_the_win_table_as_a_judges()
    {
        var (baseModelId, name, pirate) = await DemoAsync();

        var response = await AskAsync(Request(baseModelId, name, null, new JudgeChoice(baseModelId, pirate)));

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var verdict = (await response.Content.ReadFromJsonAsync<JudgeVerdict>(TestJson.Options))!;
        var request = Request(baseModelId, name, null, new JudgeChoice(baseModelId, pirate));
        Assert.Equal(await PlaygroundAnswerAsync(baseModelId, pirate, Prompt.Render(Question, request.AnswerA, request.AnswerB)), verdict.Judgments[0]);
        Assert.Equal(await PlaygroundAnswerAsync(baseModelId, pirate, Prompt.Render(Question, request.AnswerB, request.AnswerA)), verdict.Judgments[1]);
        Assert.EndsWith("+ " + OpenAiStudio.Pirate, verdict.Judge);
        Assert.Equal(verdict.Judge, verdict.Vote.Judge);
        Assert.Equal(Winner(verdict.Judgments), verdict.Winner);

        var judges = (await studio.Http.GetFromJsonAsync<List<ColumnRating>>($"/api/playground/ratings/{baseModelId}?votes=judges", TestJson.Options))!;
        var people = (await studio.Http.GetFromJsonAsync<List<ColumnRating>>($"/api/playground/ratings/{baseModelId}?votes=people", TestJson.Options))!;
        var everyone = (await studio.Http.GetFromJsonAsync<List<ColumnRating>>($"/api/playground/ratings/{baseModelId}", TestJson.Options))!;
        Assert.Equal([null, name], judges.Select(r => r.AdapterId).Order());
        Assert.All(judges, r => Assert.Equal(r.Games, r.JudgedGames));
        Assert.DoesNotContain(people, r => r.AdapterId == name);
        Assert.Contains(everyone, r => r.AdapterId == name && r.JudgedGames >= 1);
    }

    [Fact]
    public async Task An_openai_compatible_endpoint_judges_with_what_it_answers_to_the_official_client()
    {
        var (baseModelId, name, pirate) = await DemoAsync();
        var request = Request(baseModelId, name, pirate, new JudgeChoice(Endpoint: "http://localhost/v1", Model: OpenAiStudio.Pirate, ApiKey: "unused in single-user mode"));

        var response = await AskAsync(request);

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var verdict = (await response.Content.ReadFromJsonAsync<JudgeVerdict>(TestJson.Options))!;
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = JudgmentTokens };
        var direct = await studio.Client.GetChatClient(OpenAiStudio.Pirate).CompleteChatAsync(
            [new SystemChatMessage(System), new UserChatMessage(Prompt.Render(Question, request.AnswerA, request.AnswerB))], options);
        Assert.Equal(direct.Value.Content[0].Text, verdict.Judgments[0]);
        Assert.Equal($"{OpenAiStudio.Pirate} at localhost", verdict.Judge);
        Assert.Equal(verdict.Judge, verdict.Vote.Judge);
    }

    [Fact]
    public async Task Bad_judges_prompts_and_unreachable_endpoints_are_refused_with_the_reason()
    {
        var (baseModelId, name, _) = await DemoAsync();

        var both = await AskAsync(Request(baseModelId, name, null, new JudgeChoice(baseModelId, Endpoint: "http://localhost/v1", Model: "m")));
        var noB = await AskAsync(Request(baseModelId, name, null, new JudgeChoice(baseModelId)) with { JudgeTemplate = "{question} {answer_a}" });
        var sameColumn = await AskAsync(Request(baseModelId, name, name, new JudgeChoice(baseModelId)));
        var unknownAdapter = await AskAsync(Request(baseModelId, name, null, new JudgeChoice(baseModelId, 999_999)));
        var notOpenAi = await AskAsync(Request(baseModelId, name, null, new JudgeChoice(Endpoint: "http://localhost/no-such-api", Model: OpenAiStudio.Pirate)));
        var badSource = await studio.Http.GetAsync($"/api/playground/ratings/{baseModelId}?votes=robots");

        await FieldRefusedAsync(both, "judge");
        await FieldRefusedAsync(noB, "judgeTemplate");
        await FieldRefusedAsync(sameColumn, "adapterBId");
        Assert.Equal(HttpStatusCode.NotFound, unknownAdapter.StatusCode);
        Assert.Equal(HttpStatusCode.BadGateway, notOpenAi.StatusCode);
        Assert.Contains("http://localhost/no-such-api", await notOpenAi.Content.ReadAsStringAsync());
        await FieldRefusedAsync(badSource, "votes");
    }

    static async Task FieldRefusedAsync(HttpResponseMessage response, string field) =>
        Assert.Contains(field, (await ProblemAssert.ReadAsync(response, HttpStatusCode.BadRequest)).Errors.Keys);
}
