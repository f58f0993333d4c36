using System.Collections;
using System.Globalization;

namespace LoraLab.Engine.Tokenization.Jinja;

/// <summary>Jinja2's built-in filters that chat templates use, with transformers' <c>tojson</c> in place of Jinja2's.</summary>
internal static class JinjaFilters
{
    static readonly Dictionary<string, Func<object?, JinjaArguments, object?>> All = new()
    {
        ["trim"] = (v, a) => JinjaMethods.Strip(Text(v), a.Get(0, "chars"), start: true, end: true),
        ["length"] = (v, _) => JinjaValues.Length(v),
        ["count"] = (v, _) => JinjaValues.Length(v),
        ["list"] = (v, _) => JinjaValues.Items(v).ToList(),
        ["first"] = (v, _) => JinjaValues.Items(v) is { Count: > 0 } items ? items[0] : JinjaUndefined.Instance,
        ["last"] = (v, _) => JinjaValues.Items(v) is { Count: > 0 } items ? items[^1] : JinjaUndefined.Instance,
        ["join"] = Join,
        ["tojson"] = ToJson,
        ["selectattr"] = (v, a) => SelectAttribute(v, a, keep: true),
        ["rejectattr"] = (v, a) => SelectAttribute(v, a, keep: false),
        ["select"] = (v, a) => Select(v, a, keep: true),
        ["reject"] = (v, a) => Select(v, a, keep: false),
        ["map"] = Map,
        ["default"] = Default,
        ["d"] = Default,
        ["upper"] = (v, _) => Text(v).ToUpperInvariant(),
        ["lower"] = (v, _) => Text(v).ToLowerInvariant(),
        ["capitalize"] = (v, _) => JinjaMethods.Capitalize(Text(v)),
        ["title"] = (v, _) => JinjaMethods.Title(Text(v)),
        ["items"] = (v, _) => v is JinjaUndefined ? new List<object?>() : Dict(v).Select(p => (object?)new object?[] { p.Key, p.Value }).ToList(),
        ["dictsort"] = DictSort,
        ["string"] = (v, _) => JinjaValues.ToStr(v),
        ["int"] = ToInt,
        ["float"] = ToFloat,
        ["reverse"] = (v, _) => v is string s ? new string(s.Reverse().ToArray()) : JinjaValues.Items(v).Reverse().ToList(),
        ["unique"] = (v, _) => Unique(JinjaValues.Items(v)),
        ["sort"] = Sort,
        ["replace"] = (v, a) => Text(v).Replace(Text(a.Get(0, "old")), Text(a.Get(1, "new")), StringComparison.Ordinal),
        ["indent"] = Indent,
        ["safe"] = (v, _) => v,
        ["e"] = (v, _) => Escape(v),
        ["escape"] = (v, _) => Escape(v),
        ["abs"] = (v, _) => v is double d ? (object)Math.Abs(d) : Math.Abs(JinjaValues.ToLong(v)),
        ["round"] = Round,
        ["min"] = (v, _) => JinjaValues.Items(v).DefaultIfEmpty(JinjaUndefined.Instance).MinBy(x => x, Comparer<object?>.Create(JinjaValues.Compare)),
        ["max"] = (v, _) => JinjaValues.Items(v).DefaultIfEmpty(JinjaUndefined.Instance).MaxBy(x => x, Comparer<object?>.Create(JinjaValues.Compare)),
        ["sum"] = (v, _) => JinjaValues.Items(v).Aggregate((object?)0L, (sum, x) => JinjaOperators.Binary("+", sum, x)),
        ["batch"] = (v, a) => JinjaValues.Items(v).Chunk((int)JinjaValues.ToLong(a.Get(0, "linecount"))).Select(c => (object?)c.ToList()).ToList(),
        ["wordcount"] = (v, _) => (long)Text(v).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length,
    };

    public static bool Exists(string name) => All.ContainsKey(name);

    public static object? Apply(string name, object? value, JinjaArguments arguments) =>
        All.TryGetValue(name, out var filter) ? filter(value, arguments) : throw new JinjaProblem($"unknown filter '{name}'");

    static string Text(object? value) => value switch
    {
        string s => s,
        JinjaUndefined => "",
        _ => JinjaValues.ToStr(value),
    };

    static OrderedDictionary<object, object?> Dict(object? value) =>
        value as OrderedDictionary<object, object?> ?? throw new JinjaProblem($"expected a dict, not a {JinjaValues.TypeName(value)}");

    static object? Join(object? value, JinjaArguments a)
    {
        var items = JinjaValues.Items(value);
        if (a.Get(1, "attribute") is { } attribute and not JinjaUndefined) items = items.Select(i => JinjaAccess.Attribute(i, JinjaValues.ToStr(attribute))).ToList();
        return string.Join(Text(a.Get(0, "d", "")), items.Select(JinjaValues.ToStr));
    }

    /// <summary>transformers: <c>json.dumps(x, ensure_ascii=False, indent=indent, separators=separators, sort_keys=sort_keys)</c>.</summary>
    static object? ToJson(object? value, JinjaArguments a)
    {
        int? indent = a.Get(0, "indent") is long n ? (int)n : null;
        string? itemSeparator = null, keySeparator = null;
        if (a.Get(2, "separators") is IList { Count: 2 } separators)
            (itemSeparator, keySeparator) = (Text(separators[0]), Text(separators[1]));
        return JinjaJson.Serialize(value, indent, itemSeparator, keySeparator, JinjaValues.IsTruthy(a.Get(3, "sort_keys", false)));
    }

    static object? SelectAttribute(object? value, JinjaArguments a, bool keep)
    {
        string attribute = Text(a.Get(0, "attribute"));
        return JinjaValues.Items(value).Where(item => Passes(JinjaAccess.Attribute(item, attribute), a, 1) == keep).ToList();
    }

    static object? Select(object? value, JinjaArguments a, bool keep) =>
        JinjaValues.Items(value).Where(item => Passes(item, a, 0) == keep).ToList();

    /// <summary>With no test name, the value's truth; otherwise the named test with the arguments after it.</summary>
    static bool Passes(object? value, JinjaArguments a, int testAt)
    {
        if (a.Positional.Count <= testAt) return JinjaValues.IsTruthy(value);
        string test = Text(a.Positional[testAt]);
        return JinjaTests.Apply(test, value, JinjaArguments.Of([.. a.Positional.Skip(testAt + 1)]));
    }

    static object? Map(object? value, JinjaArguments a)
    {
        var items = JinjaValues.Items(value);
        if (a.Named.TryGetValue("attribute", out var attribute))
        {
            var fallback = a.Named.GetValueOrDefault("default", JinjaUndefined.Instance);
            return items.Select(i => JinjaAccess.Attribute(i, Text(attribute)) is JinjaUndefined ? fallback : JinjaAccess.Attribute(i, Text(attribute))).ToList();
        }
        if (a.Positional.Count == 0) throw new JinjaProblem("map needs a filter name or attribute=");
        string filter = Text(a.Positional[0]);
        var rest = new JinjaArguments([.. a.Positional.Skip(1)], a.Named);
        return items.Select(i => Apply(filter, i, rest)).ToList();
    }

    static object? Default(object? value, JinjaArguments a)
    {
        bool falsyToo = JinjaValues.IsTruthy(a.Get(1, "boolean", false));
        bool missing = value is JinjaUndefined || (falsyToo && !JinjaValues.IsTruthy(value));
        return missing ? a.Get(0, "default_value", "") : value;
    }

    static object? DictSort(object? value, JinjaArguments a)
    {
        bool byValue = Text(a.Get(1, "by", "key")) == "value";
        bool reverse = JinjaValues.IsTruthy(a.Get(2, "reverse", false));
        bool caseSensitive = JinjaValues.IsTruthy(a.Get(0, "case_sensitive", false));
        var pairs = Dict(value).Select(p => new object?[] { p.Key, p.Value }).ToList();
        var comparer = Comparer<object?>.Create((x, y) => JinjaValues.Compare(Fold(x, caseSensitive), Fold(y, caseSensitive)));
        var sorted = pairs.OrderBy(p => p[byValue ? 1 : 0], comparer);
        return (reverse ? sorted.Reverse() : sorted).Select(p => (object?)p).ToList();
    }

    static object? Sort(object? value, JinjaArguments a)
    {
        bool reverse = JinjaValues.IsTruthy(a.Get(0, "reverse", false));
        bool caseSensitive = JinjaValues.IsTruthy(a.Get(1, "case_sensitive", false));
        var attribute = a.Get(2, "attribute");
        object? Key(object? item) => Fold(attribute is string name ? JinjaAccess.Attribute(item, name) : item, caseSensitive);
        var comparer = Comparer<object?>.Create((x, y) => JinjaValues.Compare(Key(x), Key(y)));
        var sorted = JinjaValues.Items(value).OrderBy(x => x, comparer);
        return (reverse ? sorted.Reverse() : sorted).ToList();
    }

    static object? Fold(object? value, bool caseSensitive) => !caseSensitive && value is string s ? s.ToLowerInvariant() : value;

    static List<object?> Unique(IReadOnlyList<object?> items)
    {
        var unique = new List<object?>();
        foreach (var item in items)
            if (!unique.Any(u => JinjaValues.AreEqual(Fold(u, false), Fold(item, false)))) unique.Add(item);
        return unique;
    }

    static object? ToInt(object? value, JinjaArguments a) => value switch
    {
        long or bool => JinjaValues.ToLong(value),
        double d => (long)Math.Truncate(d),
        string s when long.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long i) => i,
        string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => (long)Math.Truncate(d),
        _ => a.Get(0, "default", 0L),
    };

    static object? ToFloat(object? value, JinjaArguments a) => value switch
    {
        long or bool or double => JinjaValues.ToDouble(value),
        string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => d,
        _ => a.Get(0, "default", 0.0),
    };

    /// <summary>Jinja2's indent: every line but the first (unless first=True) gets the indent; blank lines only with blank=True.</summary>
    static object? Indent(object? value, JinjaArguments a)
    {
        object? width = a.Get(0, "width", 4L);
        string pad = width is string w ? w : new string(' ', (int)JinjaValues.ToLong(width));
        bool first = JinjaValues.IsTruthy(a.Get(1, "first", false));
        bool blank = JinjaValues.IsTruthy(a.Get(2, "blank", false));
        var lines = Text(value).Split('\n');
        for (int i = 0; i < lines.Length; i++)
            if ((i > 0 || first) && (blank || lines[i].Length > 0)) lines[i] = pad + lines[i];
        return string.Join('\n', lines);
    }

    static object? Escape(object? value) => Text(value)
        .Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&#34;").Replace("'", "&#39;");

    static object? Round(object? value, JinjaArguments a)
    {
        int precision = (int)JinjaValues.ToLong(a.Get(0, "precision", 0L));
        string method = Text(a.Get(1, "method", "common"));
        double x = JinjaValues.ToDouble(value), scale = Math.Pow(10, precision);
        return method switch
        {
            "ceil" => Math.Ceiling(x * scale) / scale,
            "floor" => Math.Floor(x * scale) / scale,
            _ => Math.Round(x * scale, MidpointRounding.AwayFromZero) / scale,
        };
    }
}
