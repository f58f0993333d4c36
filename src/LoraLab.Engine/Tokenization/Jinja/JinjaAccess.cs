using System.Collections;

namespace LoraLab.Engine.Tokenization.Jinja;

/// <summary>
/// Jinja2's lookups: <c>x.name</c> tries a Python attribute (a method) and then the item; <c>x[key]</c> tries the item
/// and then the attribute. Whatever is missing is undefined.
/// </summary>
internal static class JinjaAccess
{
    public static object? Attribute(object? target, string name) => target switch
    {
        JinjaNamespace ns => ns.Attributes.TryGetValue(name, out var v) ? v : JinjaUndefined.Instance,
        JinjaLoop loop => loop.Attribute(name),
        _ => JinjaMethods.Find(target, name) ?? Item(target, name, fallBackToAttribute: false),
    };

    public static object? Subscript(object? target, object? key) => key is string name
        ? Item(target, name, fallBackToAttribute: true)
        : Item(target, key, fallBackToAttribute: false);

    static object? Item(object? target, object? key, bool fallBackToAttribute)
    {
        switch (target)
        {
            case OrderedDictionary<object, object?> dict when key is not null && dict.TryGetValue(key, out var value):
                return value;
            case IList list when key is long or bool && target is not OrderedDictionary<object, object?>:
                long i = JinjaValues.ToLong(key);
                if (i < 0) i += list.Count;
                return i >= 0 && i < list.Count ? list[(int)i] : JinjaUndefined.Instance;
            case string s when key is long or bool:
                var runes = s.EnumerateRunes().ToList();
                long at = JinjaValues.ToLong(key);
                if (at < 0) at += runes.Count;
                return at >= 0 && at < runes.Count ? runes[(int)at].ToString() : JinjaUndefined.Instance;
            case JinjaNamespace or JinjaLoop when fallBackToAttribute && key is string name:
                return Attribute(target, name);
        }
        if (fallBackToAttribute && key is string method && JinjaMethods.Find(target, method) is { } found) return found;
        return JinjaUndefined.Instance;
    }

    /// <summary>Python slicing of a list, tuple or string, with negative and omitted bounds and any nonzero step.</summary>
    public static object? Slice(object? target, object? start, object? stop, object? step)
    {
        long by = step is null or JinjaUndefined ? 1 : JinjaValues.ToLong(step);
        if (by == 0) throw new JinjaProblem("slice step cannot be zero");
        var items = target switch
        {
            string s => s.EnumerateRunes().Select(r => (object?)r.ToString()).ToList(),
            IList list => list.Cast<object?>().ToList(),
            JinjaUndefined => [],
            _ => throw new JinjaProblem($"a {JinjaValues.TypeName(target)} cannot be sliced"),
        };
        int n = items.Count;
        long Bound(object? value, long whenMissing)
        {
            if (value is null or JinjaUndefined) return whenMissing;
            long v = JinjaValues.ToLong(value);
            if (v < 0) v += n;
            return by > 0 ? Math.Clamp(v, 0, n) : Math.Clamp(v, -1, n - 1);
        }
        long from = Bound(start, by > 0 ? 0 : n - 1), to = Bound(stop, by > 0 ? n : -1);
        var picked = new List<object?>();
        for (long i = from; by > 0 ? i < to : i > to; i += by) picked.Add(items[(int)i]);
        return target switch
        {
            string => string.Concat(picked.Cast<string>()),
            object?[] => picked.ToArray(),
            _ => picked,
        };
    }
}
