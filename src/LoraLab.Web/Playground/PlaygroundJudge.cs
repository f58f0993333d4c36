using LoraLab.Engine.Evaluation.Judging;
using LoraLab.Web.Accounts;
using LoraLab.Web.Adapters;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Models;

namespace LoraLab.Web.Playground;

/// <summary>
/// A judge model's verdict on two playground answers: asked in both orders as MT-Bench does (a win needs both), then
/// recorded as a vote in the same win table as people's blind votes, marked with the judge's name.
/// </summary>
public sealed class PlaygroundJudge(PlaygroundGenerator generator, PlaygroundVoteStore votes, ModelRegistry models, AdapterStore adapters, IHttpClientFactory httpClients)
{
    /// <summary>The named HTTP client endpoint judges send with (its timeout is set where it is registered).</summary>
    public const string EndpointHttpClient = "judge-endpoint";

    public async Task<Result<JudgeVerdict>> JudgeAsync(JudgeRequest request, Caller caller, CancellationToken cancellation = default)
    {
        if (request.Problems() is { } problems) return Failure.Invalid(Failure.InvalidRequestTitle, problems);
        if (await votes.ProblemAsync(request.BaseModelId, request.AdapterAId, request.AdapterBId, cancellation) is { } columns) return columns;
        var judge = await JudgeOfAsync(request, cancellation);
        if (judge.Failure is { } missing) return missing;

        PairwiseOutcome outcome;
        try
        {
            outcome = await PairwiseJudging.CompareAsync(judge.Value!, request.JudgePrompt, request.Prompt, request.AnswerA, request.AnswerB, cancellation: cancellation);
        }
        catch (JudgeUnavailableException unavailable)
        {
            return unavailable.Failure;
        }
        catch (InvalidOperationException refused) when (request.Judge.IsEndpoint)
        {
            return new Failure(FailureKind.Unavailable, "The judge endpoint gave no verdict", refused.Message);
        }
        var choice = outcome.Winner switch { "first" => VoteChoice.A, "second" => VoteChoice.B, _ => VoteChoice.Tie };
        var vote = await votes.RecordVerdictAsync(new NewVote(request.BaseModelId, request.AdapterAId, request.AdapterBId, choice, request.Prompt, request.AnswerA, request.AnswerB),
            caller, judge.Value!.Name, cancellation);
        if (vote.Failure is { } notRecorded) return notRecorded;
        return new JudgeVerdict(choice == VoteChoice.Tie ? "tie" : choice.ToString(), judge.Value.Name, vote.Value!, outcome.Judgments);
    }

    async Task<Result<IJudgeModel>> JudgeOfAsync(JudgeRequest request, CancellationToken cancellation)
    {
        var choice = request.Judge;
        if (choice.IsEndpoint)
            return new OpenAiEndpointJudge(new Uri(choice.Endpoint!), choice.Model!, choice.ApiKey, httpClients.CreateClient(EndpointHttpClient), request.MaxJudgmentTokens);
        int baseModelId = choice.BaseModelId!.Value;
        if (await models.FindAsync(baseModelId, cancellation) is not { } model) return Failure.NotFound("Base model", baseModelId);
        if (model.Error is { } broken) return Failure.InvalidField("judge.baseModelId", $"{model.Name} cannot judge: {broken}");
        string name = model.Name;
        if (choice.AdapterId is { } adapterId)
        {
            if (await adapters.FindAsync(adapterId, cancellation) is not { } adapter) return Failure.NotFound("Adapter", adapterId);
            if (adapter.BaseModelId != baseModelId)
                return Failure.InvalidField("judge.adapterId", $"Adapter {adapter.Name} was trained on base model {adapter.BaseModelId}, not on the judge's base model {baseModelId}.");
            name = $"{model.Name} + {adapter.Name}";
        }
        return new StudioModelJudge(generator, baseModelId, choice.AdapterId, request.MaxJudgmentTokens, name);
    }
}
