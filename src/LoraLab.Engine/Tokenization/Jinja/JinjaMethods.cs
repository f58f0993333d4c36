using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace LoraLab.Engine.Tokenization.Jinja;

/// <summary>
/// The Python methods templates call on strings and dicts (<c>content.strip()</c>, <c>message.get('x')</c>). Methods
/// that change a value (<c>list.append</c>, <c>dict.update</c>) are refused, as transformers' immutable sandbox does.
/// </summary>
internal static partial class JinjaMethods
{
    public static JinjaFunction? Find(object? target, string name) => target switch
    {
        string s => StringMethod(s, name),
        OrderedDictionary<object, object?> d => DictMethod(d, name),
        System.Collections.IList when name is "append" or "extend" or "pop" or "insert" or "remove" or "clear" or "sort" or "reverse" =>
            _ => throw new JinjaProblem($"list.{name} is not allowed: chat templates render in an immutable sandbox"),
        _ => null,
    };

    static JinjaFunction? StringMethod(string s, string name) => name switch
    {
        "strip" => a => Strip(s, a.Get(0, "chars"), start: true, end: true),
        "lstrip" => a => Strip(s, a.Get(0, "chars"), start: true, end: false),
        "rstrip" => a => Strip(s, a.Get(0, "chars"), start: false, end: true),
        "split" => a => Split(s, a.Get(0, "sep"), a.Get(1, "maxsplit") is long n ? (int)n : -1),
        "startswith" => a => Affix(s, a.Get(0, "prefix"), (x, p) => x.StartsWith(p, StringComparison.Ordinal)),
        "endswith" => a => Affix(s, a.Get(0, "suffix"), (x, p) => x.EndsWith(p, StringComparison.Ordinal)),
        "upper" => _ => s.ToUpperInvariant(),
        "lower" => _ => s.ToLowerInvariant(),
        "title" => _ => Title(s),
        "capitalize" => _ => Capitalize(s),
        "replace" => a => Replace(s, Text(a.Get(0, "old")), Text(a.Get(1, "new")), a.Get(2, "count") is long n ? n : -1),
        "find" => a => (long)s.IndexOf(Text(a.Get(0, "sub")), StringComparison.Ordinal),
        "count" => a => (long)Regex.Matches(s, Regex.Escape(Text(a.Get(0, "sub")))).Count,
        "join" => a => string.Join(s, JinjaValues.Items(a.Get(0, "iterable")).Select(JinjaValues.ToStr)),
        "isdigit" => _ => s.Length > 0 && s.All(char.IsDigit),
        "isspace" => _ => s.Length > 0 && s.All(char.IsWhiteSpace),
        "isalpha" => _ => s.Length > 0 && s.All(char.IsLetter),
        "format" => a => Format(s, a),
        _ => null,
    };

    static JinjaFunction? DictMethod(OrderedDictionary<object, object?> d, string name) => name switch
    {
        "items" => _ => d.Select(p => (object?)new object?[] { p.Key, p.Value }).ToList(),
        "keys" => _ => d.Keys.Cast<object?>().ToList(),
        "values" => _ => d.Values.ToList(),
        "get" => a => a.Get(0, "key") is { } key && d.TryGetValue(key, out var v) ? v : a.Get(1, "default"),
        "copy" => _ => new OrderedDictionary<object, object?>(d, d.Comparer),
        "update" or "pop" or "setdefault" or "clear" or "popitem" =>
            _ => throw new JinjaProblem($"dict.{name} is not allowed: chat templates render in an immutable sandbox"),
        _ => null,
    };

    public static string Strip(string s, object? chars, bool start, bool end)
    {
        if (chars is null or JinjaUndefined)
        {
            if (start) s = s.TrimStart();
            if (end) s = s.TrimEnd();
            return s;
        }
        char[] set = Text(chars).ToCharArray();
        if (start) s = s.TrimStart(set);
        if (end) s = s.TrimEnd(set);
        return s;
    }

    /// <summary>Python's str.split: without a separator, runs of whitespace split and edges are dropped.</summary>
    static List<object?> Split(string s, object? separator, int maxSplit)
    {
        if (separator is null or JinjaUndefined)
        {
            var words = new List<object?>();
            int i = 0;
            while (i < s.Length)
            {
                while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
                if (i >= s.Length) break;
                if (maxSplit >= 0 && words.Count == maxSplit)
                {
                    words.Add(s[i..].TrimEnd());
                    break;
                }
                int start = i;
                while (i < s.Length && !char.IsWhiteSpace(s[i])) i++;
                words.Add(s[start..i]);
            }
            return words;
        }
        string sep = Text(separator);
        if (sep.Length == 0) throw new JinjaProblem("split: empty separator");
        var parts = maxSplit >= 0 ? s.Split(sep, maxSplit + 1) : s.Split(sep);
        return parts.Select(p => (object?)p).ToList();
    }

    static bool Affix(string s, object? affix, Func<string, string, bool> matches) => affix switch
    {
        object?[] options => options.Any(o => matches(s, Text(o))),
        _ => matches(s, Text(affix)),
    };

    static string Replace(string s, string old, string replacement, long count)
    {
        if (count < 0) return old.Length == 0 ? s : s.Replace(old, replacement, StringComparison.Ordinal);
        var text = new StringBuilder();
        int from = 0;
        for (long done = 0; done < count; done++)
        {
            int at = s.IndexOf(old, from, StringComparison.Ordinal);
            if (at < 0) break;
            text.Append(s, from, at - from).Append(replacement);
            from = at + old.Length;
        }
        return text.Append(s, from, s.Length - from).ToString();
    }

    /// <summary>Python's str.title: the first letter of every run of letters upper-cased, the rest lower-cased.</summary>
    public static string Title(string s)
    {
        var text = new StringBuilder(s.Length);
        bool previousIsLetter = false;
        foreach (char c in s)
        {
            text.Append(previousIsLetter ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
            previousIsLetter = char.IsLetter(c);
        }
        return text.ToString();
    }

    public static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();

    /// <summary>str.format with <c>{}</c>, <c>{0}</c> and <c>{name}</c> fields (no format specs).</summary>
    static string Format(string s, JinjaArguments a)
    {
        int auto = 0;
        return FormatField().Replace(s.Replace("{{", "\u0001").Replace("}}", "\u0002"), m =>
        {
            string field = m.Groups[1].Value;
            object? value = field.Length == 0 ? a.Get(auto++, "\0")
                : int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out int i) ? a.Get(i, "\0")
                : a.Named.TryGetValue(field, out var named) ? named : throw new JinjaProblem($"format: no value for field '{field}'");
            return JinjaValues.ToStr(value);
        }).Replace('\u0001', '{').Replace('\u0002', '}');
    }

    [GeneratedRegex(@"\{([^{}!:]*)\}")]
    private static partial Regex FormatField();

    static string Text(object? value) => value as string ?? throw new JinjaProblem($"expected a string, not a {JinjaValues.TypeName(value)}");
}
