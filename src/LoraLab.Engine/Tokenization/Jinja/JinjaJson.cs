using System.Collections;
using System.Text;

namespace LoraLab.Engine.Tokenization.Jinja;

/// <summary>
/// transformers' <c>tojson</c> filter: Python's <c>json.dumps(x, ensure_ascii=False, indent=indent,
/// separators=separators, sort_keys=sort_keys)</c>, which (unlike Jinja2's own) does not escape HTML characters.
/// </summary>
internal static class JinjaJson
{
    public static string Serialize(object? value, int? indent, string? itemSeparator = null, string? keySeparator = null, bool sortKeys = false)
    {
        var text = new StringBuilder();
        Write(text, value, indent, itemSeparator ?? (indent is null ? ", " : ","), keySeparator ?? ": ", sortKeys, depth: 0);
        return text.ToString();
    }

    static void Write(StringBuilder text, object? value, int? indent, string itemSeparator, string keySeparator, bool sortKeys, int depth)
    {
        switch (value)
        {
            case null or JinjaUndefined: text.Append("null"); break;
            case bool b: text.Append(b ? "true" : "false"); break;
            case long i: text.Append(i); break;
            case double d:
                text.Append(double.IsNaN(d) ? "NaN" : double.IsInfinity(d) ? (d > 0 ? "Infinity" : "-Infinity") : JinjaValues.FloatRepr(d));
                break;
            case string s: WriteString(text, s); break;
            case OrderedDictionary<object, object?> dict:
                var pairs = dict.ToList();
                if (sortKeys) pairs = [.. pairs.OrderBy(p => p.Key, Comparer<object>.Create(JinjaValues.Compare))];
                WriteContainer(text, '{', '}', pairs, indent, itemSeparator, depth, pair =>
                {
                    WriteString(text, pair.Key as string ?? JinjaValues.ToStr(pair.Key));
                    text.Append(keySeparator);
                    Write(text, pair.Value, indent, itemSeparator, keySeparator, sortKeys, depth + 1);
                });
                break;
            case IList list:
                WriteContainer(text, '[', ']', list.Cast<object?>().ToList(), indent, itemSeparator, depth,
                    item => Write(text, item, indent, itemSeparator, keySeparator, sortKeys, depth + 1));
                break;
            case JinjaNamespace ns:
                var attributes = JinjaValues.NewDict();
                foreach (var (k, v) in ns.Attributes) attributes[k] = v;
                Write(text, attributes, indent, itemSeparator, keySeparator, sortKeys, depth);
                break;
            default: throw new JinjaProblem($"tojson cannot serialise a {JinjaValues.TypeName(value)}");
        }
    }

    static void WriteContainer<T>(StringBuilder text, char open, char close, List<T> items, int? indent, string itemSeparator, int depth, Action<T> writeItem)
    {
        text.Append(open);
        if (items.Count == 0)
        {
            text.Append(close);
            return;
        }
        string? innerBreak = indent is { } n ? "\n" + new string(' ', n * (depth + 1)) : null;
        for (int i = 0; i < items.Count; i++)
        {
            if (i > 0) text.Append(itemSeparator);
            if (innerBreak is not null) text.Append(innerBreak);
            writeItem(items[i]);
        }
        if (indent is { } m) text.Append('\n').Append(' ', m * depth);
        text.Append(close);
    }

    /// <summary>json.dumps with ensure_ascii=False: only quotes, backslashes and control characters are escaped.</summary>
    static void WriteString(StringBuilder text, string s)
    {
        text.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                default:
                    if (c < 0x20) text.Append($"\\u{(int)c:x4}");
                    else text.Append(c);
                    break;
            }
        }
        text.Append('"');
    }
}
