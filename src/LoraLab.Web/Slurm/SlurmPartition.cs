namespace LoraLab.Web.Slurm;

/// <summary>
/// One line of <c>sinfo -h -o "%P|%a|%D|%t|%N"</c>: a partition (without sinfo's '*' on the default one), whether it is
/// up, and its nodes in one state. A partition whose nodes are in several states has one line per state.
/// </summary>
public sealed record SlurmPartition(string Name, bool IsDefault, bool IsUp, int Nodes, string NodeState, string NodeList)
{
    public const string Format = "%P|%a|%D|%t|%N";

    public static IReadOnlyList<SlurmPartition> ParseAll(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse).ToList();

    public static SlurmPartition Parse(string line)
    {
        if (line.Split('|') is not [var name, var availability, var nodes, var state, var nodeList])
            throw new FormatException($"The sinfo line '{line}' does not have the 5 fields of {Format}.");
        bool isDefault = name.EndsWith('*');
        return new SlurmPartition(name.TrimEnd('*'), isDefault, availability == "up", int.TryParse(nodes, out int n) ? n : 0, state, nodeList);
    }
}
