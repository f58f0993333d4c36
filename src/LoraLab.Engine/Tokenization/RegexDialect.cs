using System.Text;
using System.Text.RegularExpressions;

namespace LoraLab.Engine.Tokenization;

/// <summary>
/// Compiles the Oniguruma patterns of tokenizer.json with .NET's Regex. The two dialects agree on what
/// these patterns use (\p{L}, lookahead, inline (?i:...)) except possessive quantifiers (X*+, X++, X?+,
/// X{n,m}+), which .NET lacks and which mean the same as the atomic group (?>X*), and code points above U+FFFF,
/// which Oniguruma matches whole and .NET as two surrogates (<see cref="SupplementaryCodePoints"/>).
/// </summary>
internal static class RegexDialect
{
    public static Regex Compile(string pattern) =>
        new(ToDotNet(pattern), RegexOptions.Compiled | RegexOptions.CultureInvariant);

    /// <summary>The pattern with possessives as atomic groups and classes that match whole code points above U+FFFF.</summary>
    public static string ToDotNet(string pattern) => Translate(pattern, wholeCodePoints: true);

    public static string WithAtomicGroupsForPossessives(string pattern) => Translate(pattern, wholeCodePoints: false);

    static string Translate(string pattern, bool wholeCodePoints)
    {
        var output = new StringBuilder(pattern.Length + 8);
        var groupStarts = new Stack<int>();
        int atomStart = -1;
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c is '*' or '+' or '?' or '{' && atomStart >= 0 && QuantifierEnd(pattern, i) is int end)
            {
                string quantifier = pattern[i..end];
                bool possessive = end < pattern.Length && pattern[end] == '+';
                if (possessive)
                {
                    output.Insert(atomStart, "(?>").Append(quantifier).Append(')');
                    i = end;
                }
                else
                {
                    output.Append(quantifier);
                    i = end - 1;
                }
                atomStart = -1;
                continue;
            }

            int start = output.Length;
            switch (c)
            {
                case '\\':
                    int escapeEnd = EscapeEnd(pattern, i);
                    string escape = pattern[i..escapeEnd];
                    bool category = wholeCodePoints && escape.Length > 1 && escape[1] is 'p' or 'P' or 'd' or 'D' or 'w' or 'W';
                    output.Append(category ? SupplementaryCodePoints.Rewrite(escape) ?? escape : escape);
                    i = escapeEnd - 1;
                    atomStart = start;
                    break;
                case '[':
                    int classEnd = ClassEnd(pattern, i);
                    string cls = pattern[i..classEnd];
                    output.Append(wholeCodePoints ? SupplementaryCodePoints.Rewrite(cls) ?? cls : cls);
                    i = classEnd - 1;
                    atomStart = start;
                    break;
                case '(':
                    groupStarts.Push(start);
                    output.Append(c);
                    atomStart = -1;
                    break;
                case ')':
                    output.Append(c);
                    atomStart = groupStarts.Count > 0 ? groupStarts.Pop() : -1;
                    break;
                case '|' or '^' or '$':
                    output.Append(c);
                    atomStart = -1;
                    break;
                default:
                    output.Append(c);
                    atomStart = start;
                    break;
            }
        }
        return output.ToString();
    }

    /// <summary>End (exclusive) of the quantifier at <paramref name="i"/>, a lazy '?' included; null for a '{' that is a literal.</summary>
    static int? QuantifierEnd(string pattern, int i)
    {
        int end = i + 1;
        if (pattern[i] == '{')
        {
            int close = pattern.IndexOf('}', i);
            if (close < 0 || !Regex.IsMatch(pattern[(i + 1)..close], @"^\d*(,\d*)?$")) return null;
            end = close + 1;
        }
        if (end < pattern.Length && pattern[end] == '?') end++;
        return end;
    }

    static int EscapeEnd(string pattern, int i)
    {
        int end = Math.Min(i + 2, pattern.Length);
        if (end < pattern.Length && pattern[end] == '{' && pattern[i + 1] is 'p' or 'P' or 'x' or 'u')
        {
            int close = pattern.IndexOf('}', end);
            if (close > 0) end = close + 1;
        }
        return end;
    }

    static int ClassEnd(string pattern, int i)
    {
        int depth = 0;
        for (int j = i; j < pattern.Length; j++)
        {
            if (pattern[j] == '\\') { j = EscapeEnd(pattern, j) - 1; continue; }
            if (pattern[j] == '[') depth++;
            else if (pattern[j] == ']' && j > i + 1 && --depth == 0) return j + 1;
        }
        return pattern.Length;
    }
}
