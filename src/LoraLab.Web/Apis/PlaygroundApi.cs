using System.Text.Json.Nodes;
using LoraLab.Web.Accounts;
using LoraLab.Web.Playground;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace LoraLab.Web.Apis;

/// <summary>
/// The playground for scripts: side-by-side answers, prompt sets, blind votes and their Elo table, saved sessions.
/// Every signed-in user generates and votes; a prompt set reads only datasets the caller may read; sessions are their
/// owner's (admins see everyone's).
/// </summary>
public static class PlaygroundApi
{
    public sealed record NewSession(string Name, JsonNode Payload);

    public static IEndpointRouteBuilder MapPlaygroundApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup($"{ApiProblems.Prefix}/playground").WithTags("Playground");
        api.MapPost("/generate", Generate);
        api.MapPost("/prompt-set", RunPromptSet);
        api.MapPost("/votes", Vote);
        api.MapPost("/judge", Judge);
        api.MapGet("/ratings/{baseModelId:int}", Ratings);
        api.MapGet("/sessions", ListSessions);
        api.MapGet("/sessions/{sessionId:int}", GetSession);
        api.MapPost("/sessions", SaveSession);
        api.MapDelete("/sessions/{sessionId:int}", DeleteSession);
        return app;
    }

    /// <summary>Every column's answer, generated together (the base, LoRA and DoRA columns in one batch); returns when all are done.</summary>
    static async Task<Results<Ok<PlaygroundAnswers>, ProblemHttpResult>> Generate(PlaygroundRequest request, PlaygroundGenerator generator, CancellationToken cancellation)
    {
        var answers = await generator.GenerateAsync(request, cancellation: cancellation);
        return answers.Failure is { } failure ? failure.ToProblem() : TypedResults.Ok(answers.Value!);
    }

    static async Task<Results<Ok<PromptSetResult>, ProblemHttpResult>> RunPromptSet(
        PromptSetRequest request, PromptSetEvaluator evaluator, Caller caller, CancellationToken cancellation)
    {
        var result = await evaluator.EvaluateAsync(request, caller, cancellation: cancellation);
        return result.Failure is { } failure ? failure.ToProblem() : TypedResults.Ok(result.Value!);
    }

    static async Task<Results<Created<VoteSummary>, ProblemHttpResult>> Vote(NewVote vote, PlaygroundVoteStore votes, Caller caller, CancellationToken cancellation)
    {
        var recorded = await votes.RecordAsync(vote, caller, cancellation);
        return recorded.Failure is { } failure ? failure.ToProblem() : TypedResults.Created($"{ApiProblems.Prefix}/playground/ratings/{vote.BaseModelId}", recorded.Value!);
    }

    /// <summary>A judge model's verdict on two answers, asked in both orders and recorded as a vote marked as the judge's.</summary>
    static async Task<Results<Created<JudgeVerdict>, ProblemHttpResult>> Judge(JudgeRequest request, PlaygroundJudge judge, Caller caller, CancellationToken cancellation)
    {
        var verdict = await judge.JudgeAsync(request, caller, cancellation);
        return verdict.Failure is { } failure ? failure.ToProblem() : TypedResults.Created($"{ApiProblems.Prefix}/playground/ratings/{request.BaseModelId}", verdict.Value!);
    }

    /// <summary>The Elo table of one base model over everyone's votes, people's only (<c>?votes=people</c>) or the judges' (<c>?votes=judges</c>).</summary>
    static async Task<Results<Ok<IReadOnlyList<ColumnRating>>, ProblemHttpResult>> Ratings(int baseModelId, PlaygroundVoteStore votes, [FromQuery(Name = "votes")] string? votesOf, CancellationToken cancellation)
    {
        if (!Enum.TryParse<VoteSource>(votesOf ?? nameof(VoteSource.Everyone), ignoreCase: true, out var source) || int.TryParse(votesOf, out _))
            return Failure.InvalidField("votes", $"votes is everyone, people or judges; got '{votesOf}'.").ToProblem();
        return TypedResults.Ok(await votes.RatingsAsync(baseModelId, source, cancellation));
    }

    /// <summary>The caller's sessions (everyone's, for admins).</summary>
    static async Task<Ok<IReadOnlyList<PlaygroundSessionSummary>>> ListSessions(PlaygroundSessionStore sessions, Caller caller, CancellationToken cancellation) =>
        TypedResults.Ok(await sessions.ListAsync(caller, cancellation));

    static async Task<Results<Ok<PlaygroundSessionSummary>, ProblemHttpResult>> GetSession(
        int sessionId, PlaygroundSessionStore sessions, Caller caller, CancellationToken cancellation)
    {
        var found = await sessions.FindAsync(sessionId, caller, cancellation);
        return found.Failure is { } failure ? failure.ToProblem() : TypedResults.Ok(found.Value!);
    }

    static async Task<Results<Created<PlaygroundSessionSummary>, ProblemHttpResult>> SaveSession(
        NewSession session, PlaygroundSessionStore sessions, Caller caller, CancellationToken cancellation)
    {
        if (string.IsNullOrWhiteSpace(session.Name) || session.Name.Length > 200)
            return Failure.InvalidField("name", "A session needs a name of 1 to 200 characters.").ToProblem();
        var saved = await sessions.SaveAsync(session.Name.Trim(), session.Payload, caller, cancellation);
        return TypedResults.Created($"{ApiProblems.Prefix}/playground/sessions/{saved.Id}", saved);
    }

    static async Task<Results<NoContent, ProblemHttpResult>> DeleteSession(
        int sessionId, PlaygroundSessionStore sessions, Caller caller, CancellationToken cancellation) =>
        (await sessions.DeleteAsync(sessionId, caller, cancellation)).Failure is { } failure ? failure.ToProblem() : TypedResults.NoContent();
}
