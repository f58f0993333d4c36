using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Methods;
using LoraLab.Engine.Training;

namespace LoraLab.Cli;

/// <summary>Settings given on the command line that are wrong: one sentence per wrong field, each naming it and its value.</summary>
sealed class InvalidSettingsException(IReadOnlyList<string> problems) : Exception(string.Join(" ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;

    /// <summary>
    /// Checks the settings with the validators the studio's new-run page and API use (the method's spec,
    /// <see cref="TrainingOptions.Problems"/>, <see cref="DataOptions.Problems"/>): every wrong field at once.
    /// </summary>
    public static void ThrowIfAny(MethodOptions method, TrainingOptions? training = null, DataOptions? data = null)
    {
        var problems = MethodRegistry.Validate(method, null).Select(e => e.Message)
            .Concat(training?.Problems().Select(p => p.Message) ?? [])
            .Concat(data?.Problems().Select(p => p.Message) ?? [])
            .ToList();
        if (problems.Count > 0) throw new InvalidSettingsException(problems);
    }
}
