namespace LoraLab.Cli;

/// <summary>Settings given on the command line that are wrong: one sentence per wrong field, each naming it and its value.</summary>
sealed class InvalidSettingsException(IReadOnlyList<string> problems) : Exception(string.Join(" ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
