namespace LoraLab.Web.Slurm;

/// <summary>Reads the one-line records of <c>scontrol show job -o</c> (Key=Value pairs separated by spaces).</summary>
public static class SlurmJobParser
{
    public static SlurmJob Parse(string line)
    {
        var fields = Fields(line);
        string id = fields.GetValueOrDefault("JobId") ?? throw new FormatException($"No JobId in the scontrol line '{Shorten(line)}'.");
        string state = fields.GetValueOrDefault("JobState") ?? throw new FormatException($"No JobState in the scontrol line of job {id}.");
        var (exitCode, signal) = ExitCode(fields.GetValueOrDefault("ExitCode"));
        return new SlurmJob(id, state, Value(fields.GetValueOrDefault("Reason")), Value(fields.GetValueOrDefault("BatchHost") ?? fields.GetValueOrDefault("NodeList")),
            exitCode, signal, Value(fields.GetValueOrDefault("StdErr")));
    }

    /// <summary>
    /// The pairs of one line. A value may hold spaces (a command or path), so a word without '=' or one whose key does
    /// not start with a capital letter belongs to the value before it.
    /// </summary>
    public static Dictionary<string, string> Fields(string line)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        string? key = null;
        foreach (string word in line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = word.IndexOf('=');
            if (equals > 0 && char.IsUpper(word[0]))
            {
                key = word[..equals];
                fields[key] = word[(equals + 1)..];
            }
            else if (key is not null) fields[key] += " " + word;
        }
        return fields;
    }

    /// <summary>"3:0" → (3, 0); null or unreadable → (null, null).</summary>
    static (int?, int?) ExitCode(string? text)
    {
        if (text?.Split(':') is not [var code, var signal]) return (null, null);
        return (int.TryParse(code, out int c) ? c : null, int.TryParse(signal, out int s) ? s : null);
    }

    static string? Value(string? text) => string.IsNullOrEmpty(text) || text is "None" or "(null)" ? null : text;

    static string Shorten(string line) => line.Length <= 80 ? line : line[..80] + "…";
}
