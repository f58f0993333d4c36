namespace LoraLab.Engine.Evaluation.Judging;

/// <summary>A model that answers one judging conversation (system prompt, user turn): a local model or an external endpoint.</summary>
public interface IJudgeModel
{
    string Name { get; }

    Task<string> CompleteAsync(string system, string user, CancellationToken cancellation);
}
