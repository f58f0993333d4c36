using System.Globalization;
using System.Text;

namespace LoraLab.Engine.Tokenization;

/// <summary>
/// Makes a character class match whole code points above U+FFFF as Oniguruma does. .NET's Regex works on UTF-16
/// code units, and the two halves of a surrogate pair have the category Cs: \p{S} never matches "🎉", \p{L} never
/// matches "𝔘", and [^\s\p{L}\p{N}] matches "𝔘" although it is a letter. DeepSeek V3's pattern, whose
/// " ?[\p{P}\p{S}]+" keeps a space with the emoji after it, tokenizes emoji wrongly without this.
/// The class is rewritten as (?:[class without surrogates]|[high surrogates][low surrogates]|...), the pairs being
/// computed from the Unicode categories .NET knows.
/// </summary>
internal static class SupplementaryCodePoints
{
    const int First = 0x10000, Last = 0x10FFFF;
    const int CategoryCount = (int)UnicodeCategory.OtherNotAssigned + 1;

    static readonly Lazy<byte[]> categoryOf = new(() =>
    {
        var categories = new byte[Last - First + 1];
        for (int cp = First; cp <= Last; cp++) categories[cp - First] = (byte)CharUnicodeInfo.GetUnicodeCategory(cp);
        return categories;
    });

    /// <summary>
    /// The .NET form of the class <paramref name="cls"/> ("[...]" or a lone escape such as "\p{L}"), or null when it
    /// needs none: it names no category, or .NET's code-unit matching already agrees on every pair.
    /// </summary>
    public static string? Rewrite(string cls) => rewritten.GetOrAdd(cls, Compute);

    // Tokenizers of one family share their patterns; the rewrite scans a million code points, so it is done once.
    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string?> rewritten = new();

    static string? Compute(string cls)
    {
        bool lone = cls[0] == '\\';
        bool negated = !lone && cls.Length > 1 && cls[1] == '^';
        if (ParseItems(cls, lone ? 0 : negated ? 2 : 1, lone ? cls.Length : cls.Length - 1) is not var (categories, allRanges)) return null;
        if (!categories.Any(c => c)) return null;
        var ranges = allRanges.Where(r => r.To >= First).ToArray();

        var table = categoryOf.Value;
        bool Matches(int cp) => negated ^ (categories[table[cp - First]] || ranges.Any(r => cp >= r.From && cp <= r.To));
        bool any = false, all = true;
        for (int cp = First; cp <= Last && (all || !any); cp++)
        {
            bool match = Matches(cp);
            any |= match;
            all &= match;
        }

        // .NET matches a pair exactly when the class takes surrogates (category Cs) on both halves.
        bool dotnetTakesSurrogates = negated ^ categories[(int)UnicodeCategory.Surrogate];
        if (all && dotnetTakesSurrogates || !any && !dotnetTakesSurrogates) return null;

        string bmp = lone ? $"[{cls}-[\\uD800-\\uDFFF]]" : $"{cls[..^1]}-[\\uD800-\\uDFFF]]";
        var output = new StringBuilder("(?:").Append(bmp);
        foreach (var (highFrom, highTo, lows) in PairRuns(Matches)) output.Append($"|[\\u{highFrom:X4}-\\u{highTo:X4}][{lows}]");
        return output.Append(')').ToString();
    }

    /// <summary>Runs of high surrogates that share the same set of low surrogates, each set written as class ranges.</summary>
    static List<(int HighFrom, int HighTo, string Lows)> PairRuns(Func<int, bool> matches)
    {
        var runs = new List<(int, int, string)>();
        for (int high = 0; high < 1024; high++)
        {
            var lows = new StringBuilder();
            for (int low = 0; low < 1024;)
            {
                if (!matches(First + high * 1024 + low)) { low++; continue; }
                int start = low;
                while (low < 1024 && matches(First + high * 1024 + low)) low++;
                lows.Append($"\\u{0xDC00 + start:X4}");
                if (low - 1 > start) lows.Append($"-\\u{0xDC00 + low - 1:X4}");
            }
            if (lows.Length == 0) continue;
            string set = lows.ToString();
            if (runs.Count > 0 && runs[^1].Item2 == 0xD800 + high - 1 && runs[^1].Item3 == set) runs[^1] = (runs[^1].Item1, 0xD800 + high, set);
            else runs.Add((0xD800 + high, 0xD800 + high, set));
        }
        return runs;
    }

    /// <summary>
    /// What the class items between <paramref name="start"/> and <paramref name="end"/> take above U+FFFF: whole
    /// categories, and literal code points or ranges; null for what this does not read (nested classes, &amp;&amp;).
    /// </summary>
    static (bool[] Categories, List<(int From, int To)> Ranges)? ParseItems(string cls, int start, int end)
    {
        var categories = new bool[CategoryCount];
        var ranges = new List<(int, int)>();
        int? previous = null;
        for (int i = start; i < end;)
        {
            char c = cls[i];
            if (c == '[' || (c == '&' && i + 1 < end && cls[i + 1] == '&')) return null;
            if (c == '-' && previous is int from && i + 1 < end)
            {
                int to = char.IsSurrogatePair(cls, i + 1) ? char.ConvertToUtf32(cls, i + 1) : cls[i + 1];
                ranges.Add((from, to));
                i += char.IsSurrogatePair(cls, i + 1) ? 3 : 2;
                previous = null;
                continue;
            }
            if (c != '\\')
            {
                previous = char.IsSurrogatePair(cls, i) ? char.ConvertToUtf32(cls, i) : c;
                ranges.Add((previous.Value, previous.Value));
                i += char.IsSurrogatePair(cls, i) ? 2 : 1;
                continue;
            }
            if (i + 1 >= end) return null;
            char kind = cls[i + 1];
            previous = null;
            switch (kind)
            {
                case 'p' or 'P':
                    string name;
                    if (i + 2 < end && cls[i + 2] == '{')
                    {
                        int close = cls.IndexOf('}', i + 2);
                        if (close < 0) return null;
                        name = cls[(i + 3)..close];
                        i = close + 1;
                    }
                    else
                    {
                        name = cls[i + 2].ToString();
                        i += 3;
                    }
                    bool negative = kind == 'P' ^ name.StartsWith('^');
                    if (CategoriesNamed(name.TrimStart('^')) is not { } named) return null;
                    Mark(categories, named, negative);
                    continue;
                case 'd' or 'D':
                    Mark(categories, [UnicodeCategory.DecimalDigitNumber], kind == 'D');
                    break;
                case 'w' or 'W':
                    Mark(categories, [.. Letters, .. Marks, UnicodeCategory.DecimalDigitNumber, UnicodeCategory.ConnectorPunctuation], kind == 'W');
                    break;
                case 'S':
                    Mark(categories, [], negative: true);
                    break;
                default:
                    // \s, \r, \n, \t, \uXXXX, \\ and the like: nothing above U+FFFF.
                    break;
            }
            i += 2;
        }
        return (categories, ranges);
    }

    static void Mark(bool[] categories, UnicodeCategory[] named, bool negative)
    {
        for (int c = 0; c < CategoryCount; c++)
            if (named.Contains((UnicodeCategory)c) != negative) categories[c] = true;
    }

    static readonly UnicodeCategory[] Letters =
        [UnicodeCategory.UppercaseLetter, UnicodeCategory.LowercaseLetter, UnicodeCategory.TitlecaseLetter, UnicodeCategory.ModifierLetter, UnicodeCategory.OtherLetter];
    static readonly UnicodeCategory[] Marks = [UnicodeCategory.NonSpacingMark, UnicodeCategory.SpacingCombiningMark, UnicodeCategory.EnclosingMark];

    static UnicodeCategory[]? CategoriesNamed(string name) => name switch
    {
        "L" or "Letter" => Letters,
        "Lu" => [UnicodeCategory.UppercaseLetter], "Ll" => [UnicodeCategory.LowercaseLetter], "Lt" => [UnicodeCategory.TitlecaseLetter],
        "Lm" => [UnicodeCategory.ModifierLetter], "Lo" => [UnicodeCategory.OtherLetter],
        "M" or "Mark" => Marks,
        "Mn" => [UnicodeCategory.NonSpacingMark], "Mc" => [UnicodeCategory.SpacingCombiningMark], "Me" => [UnicodeCategory.EnclosingMark],
        "N" or "Number" => [UnicodeCategory.DecimalDigitNumber, UnicodeCategory.LetterNumber, UnicodeCategory.OtherNumber],
        "Nd" => [UnicodeCategory.DecimalDigitNumber], "Nl" => [UnicodeCategory.LetterNumber], "No" => [UnicodeCategory.OtherNumber],
        "P" or "Punctuation" =>
        [
            UnicodeCategory.ConnectorPunctuation, UnicodeCategory.DashPunctuation, UnicodeCategory.OpenPunctuation, UnicodeCategory.ClosePunctuation,
            UnicodeCategory.InitialQuotePunctuation, UnicodeCategory.FinalQuotePunctuation, UnicodeCategory.OtherPunctuation,
        ],
        "Pc" => [UnicodeCategory.ConnectorPunctuation], "Pd" => [UnicodeCategory.DashPunctuation], "Ps" => [UnicodeCategory.OpenPunctuation],
        "Pe" => [UnicodeCategory.ClosePunctuation], "Pi" => [UnicodeCategory.InitialQuotePunctuation], "Pf" => [UnicodeCategory.FinalQuotePunctuation],
        "Po" => [UnicodeCategory.OtherPunctuation],
        "S" or "Symbol" => [UnicodeCategory.MathSymbol, UnicodeCategory.CurrencySymbol, UnicodeCategory.ModifierSymbol, UnicodeCategory.OtherSymbol],
        "Sm" => [UnicodeCategory.MathSymbol], "Sc" => [UnicodeCategory.CurrencySymbol], "Sk" => [UnicodeCategory.ModifierSymbol], "So" => [UnicodeCategory.OtherSymbol],
        "Z" or "Separator" => [UnicodeCategory.SpaceSeparator, UnicodeCategory.LineSeparator, UnicodeCategory.ParagraphSeparator],
        "Zs" => [UnicodeCategory.SpaceSeparator], "Zl" => [UnicodeCategory.LineSeparator], "Zp" => [UnicodeCategory.ParagraphSeparator],
        "C" or "Other" => [UnicodeCategory.Control, UnicodeCategory.Format, UnicodeCategory.Surrogate, UnicodeCategory.PrivateUse, UnicodeCategory.OtherNotAssigned],
        "Cc" => [UnicodeCategory.Control], "Cf" => [UnicodeCategory.Format], "Cs" => [UnicodeCategory.Surrogate],
        "Co" => [UnicodeCategory.PrivateUse], "Cn" => [UnicodeCategory.OtherNotAssigned],
        _ => null,
    };
}
