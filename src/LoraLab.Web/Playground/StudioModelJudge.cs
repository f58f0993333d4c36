using LoraLab.Engine.Evaluation.Judging;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Web.Playground;

/// <summary>A studio model (a base, alone or with an adapter) as the judge: one greedy playground column in its chat template.</summary>
public sealed class StudioModelJudge(PlaygroundGenerator generator, int baseModelId, int? adapterId, int maxNewTokens, string name) : IJudgeModel
{
    public string Name => name;

    /// <exception cref="JudgeUnavailableException">The model could not answer, with the reason.</exception>
    public async Task<string> CompleteAsync(string system, string user, CancellationToken cancellation)
    {
        var request = new PlaygroundRequest(baseModelId, [new PlaygroundColumn(adapterId)],
            new PlaygroundPrompt([new ChatMessage("system", system), new ChatMessage("user", user)]), new SamplingSettings { MaxNewTokens = maxNewTokens });
        var answers = await generator.GenerateAsync(request, cancellation: cancellation);
        return answers.Failure is { } failure ? throw new JudgeUnavailableException(failure) : answers.Value!.Columns[0].Text;
    }
}

/// <summary>The judge could not give a verdict: its model failed to load or generate, or its endpoint refused.</summary>
public sealed class JudgeUnavailableException(Failure failure) : Exception(failure.Detail)
{
    public Failure Failure => failure;
}
