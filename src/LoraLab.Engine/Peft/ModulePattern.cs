using System.Text.RegularExpressions;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Peft;

/// <summary>
/// Matching a module or parameter name against a regular expression from an adapter config (target_modules given as
/// one pattern, rank_pattern and alpha_pattern keys, selective patterns). The config may come from an imported
/// adapter, so a malformed pattern is a config error naming the field, and a match is time-limited: a pattern that
/// backtracks without end cannot hang the loader.
/// </summary>
internal static class ModulePattern
{
    static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    /// <param name="regex">The expression matched, possibly <paramref name="pattern"/> wrapped in anchors.</param>
    /// <param name="field">The config field that holds <paramref name="pattern"/>, for the error.</param>
    /// <param name="pattern">The pattern as the config wrote it.</param>
    public static bool IsMatch(string name, string regex, string field, string pattern)
    {
        try
        {
            return Regex.IsMatch(name, regex, RegexOptions.None, MatchTimeout);
        }
        catch (RegexMatchTimeoutException)
        {
            throw new PeftConfigException($"{field} '{pattern}' took more than {MatchTimeout.TotalSeconds:0} s to match '{name}'; use a simpler pattern.");
        }
        catch (ArgumentException e)
        {
            throw new PeftConfigException($"{field} '{pattern}' is not a valid regular expression ({e.Message.TrimEnd('.')}).");
        }
    }
}
