using System.Globalization;

namespace LoraLab.Bench.LlamaCpp;

/// <summary>"--name value" pairs and "--flag" switches; an unknown or malformed argument is an error naming it.</summary>
sealed class Arguments(Dictionary<string, string?> values)
{
    static readonly HashSet<string> Known = ["shape", "threads", "context", "tokens", "adapters", "rank", "bf16", "tokenizer", "json"];
    static readonly HashSet<string> Flags = ["bf16", "json"];

    public static Arguments Parse(string[] args)
    {
        var values = new Dictionary<string, string?>();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][2..] : throw new ArgumentException($"Unexpected argument '{args[i]}'.");
            if (!Known.Contains(name)) throw new ArgumentException($"Unknown option --{name}; the options are {string.Join(", ", Known.Select(k => "--" + k))}.");
            values[name] = Flags.Contains(name) ? null : i + 1 < args.Length ? args[++i] : throw new ArgumentException($"--{name} needs a value.");
        }
        return new Arguments(values);
    }

    public string Get(string name, string fallback) => values.TryGetValue(name, out var value) && value is not null ? value : fallback;

    public int Int(string name, int fallback) => values.TryGetValue(name, out var value) && value is not null
        ? int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : throw new ArgumentException($"--{name} must be a positive integer, got '{value}'.")
        : fallback;

    public bool Flag(string name) => values.ContainsKey(name);
}
