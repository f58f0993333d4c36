using System.Collections;
using System.Globalization;
using System.Text;

namespace LoraLab.Engine.Tokenization.Jinja;

/// <summary>
/// The value model, as Python sees it: null is None, long is int, double is float, string, bool, List (list),
/// object?[] (tuple), OrderedDictionary (dict, in insertion order), plus undefined, namespaces, loops and functions.
/// </summary>
internal static class JinjaValues
{
    public static OrderedDictionary<object, object?> NewDict() => new(KeyComparer.Instance);

    public static bool IsUndefined(object? value) => value is JinjaUndefined;

    public static bool IsNumber(object? value) => value is long or double or bool;

    public static bool IsTruthy(object? value) => value switch
    {
        null or JinjaUndefined => false,
        bool b => b,
        long i => i != 0,
        double d => d != 0,
        string s => s.Length > 0,
        OrderedDictionary<object, object?> d => d.Count > 0,
        ICollection c => c.Count > 0,
        _ => true,
    };

    /// <summary>Python's <c>str()</c>, which is what <c>{{ }}</c> prints.</summary>
    public static string ToStr(object? value) => value switch
    {
        string s => s,
        JinjaUndefined => "",
        _ => Repr(value),
    };

    /// <summary>Python's <c>repr()</c>, used for items inside printed lists and dicts.</summary>
    public static string Repr(object? value) => value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        long i => i.ToString(CultureInfo.InvariantCulture),
        double d => FloatRepr(d),
        string s => StringRepr(s),
        JinjaUndefined => "",
        object?[] tuple => tuple.Length == 1 ? $"({Repr(tuple[0])},)" : $"({string.Join(", ", tuple.Select(Repr))})",
        OrderedDictionary<object, object?> dict => $"{{{string.Join(", ", dict.Select(p => $"{Repr(p.Key)}: {Repr(p.Value)}"))}}}",
        IList list => $"[{string.Join(", ", list.Cast<object?>().Select(Repr))}]",
        JinjaNamespace => "<Namespace>",
        JinjaFunction => "<function>",
        _ => value.ToString() ?? "",
    };

    public static string FloatRepr(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        if (d == Math.Floor(d) && Math.Abs(d) < 1e16) return d.ToString("0.0", CultureInfo.InvariantCulture);
        string r = d.ToString("R", CultureInfo.InvariantCulture);
        return r.Replace('E', 'e');
    }

    static string StringRepr(string s)
    {
        char quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        var text = new StringBuilder().Append(quote);
        foreach (char c in s)
        {
            switch (c)
            {
                case '\\': text.Append(@"\\"); break;
                case '\n': text.Append(@"\n"); break;
                case '\r': text.Append(@"\r"); break;
                case '\t': text.Append(@"\t"); break;
                default:
                    if (c == quote) text.Append('\\').Append(c);
                    else if (c < 0x20 || c == 0x7f) text.Append($"\\x{(int)c:x2}");
                    else text.Append(c);
                    break;
            }
        }
        return text.Append(quote).ToString();
    }

    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        object?[] => "tuple",
        OrderedDictionary<object, object?> => "dict",
        IList => "list",
        JinjaUndefined => "undefined",
        JinjaNamespace => "namespace",
        JinjaFunction => "function",
        _ => value.GetType().Name,
    };

    public static bool AreEqual(object? a, object? b)
    {
        if (IsNumber(a) && IsNumber(b)) return ToDouble(a) == ToDouble(b) && (a is double || b is double || ToLong(a) == ToLong(b));
        return (a, b) switch
        {
            (null, null) => true,
            (JinjaUndefined, JinjaUndefined) => true,
            (string x, string y) => x == y,
            (OrderedDictionary<object, object?> x, OrderedDictionary<object, object?> y) =>
                x.Count == y.Count && x.All(p => y.TryGetValue(p.Key, out var v) && AreEqual(p.Value, v)),
            (IList x, IList y) => x.Count == y.Count && Enumerable.Range(0, x.Count).All(i => AreEqual(x[i], y[i])),
            _ => ReferenceEquals(a, b),
        };
    }

    public static int Compare(object? a, object? b)
    {
        if (IsNumber(a) && IsNumber(b)) return ToDouble(a).CompareTo(ToDouble(b));
        if (a is string x && b is string y) return string.CompareOrdinal(x, y);
        if (a is IList l && b is IList r && a is not OrderedDictionary<object, object?>)
        {
            for (int i = 0; i < Math.Min(l.Count, r.Count); i++)
            {
                int c = Compare(l[i], r[i]);
                if (c != 0) return c;
            }
            return l.Count.CompareTo(r.Count);
        }
        throw new JinjaProblem($"cannot order a {TypeName(a)} and a {TypeName(b)}");
    }

    public static double ToDouble(object? value) => value switch
    {
        long i => i,
        double d => d,
        bool b => b ? 1 : 0,
        _ => throw new JinjaProblem($"expected a number, not a {TypeName(value)}"),
    };

    public static long ToLong(object? value) => value switch
    {
        long i => i,
        bool b => b ? 1 : 0,
        double d => (long)d,
        _ => throw new JinjaProblem($"expected an integer, not a {TypeName(value)}"),
    };

    /// <summary>What a for loop walks: a list's items, a dict's keys, a string's characters; undefined is empty.</summary>
    public static IReadOnlyList<object?> Items(object? value) => value switch
    {
        JinjaUndefined => [],
        OrderedDictionary<object, object?> dict => dict.Keys.Cast<object?>().ToList(),
        IList list => list.Cast<object?>().ToList(),
        string s => s.EnumerateRunes().Select(r => (object?)r.ToString()).ToList(),
        _ => throw new JinjaProblem($"a {TypeName(value)} cannot be iterated"),
    };

    public static long Length(object? value) => value switch
    {
        string s => s.EnumerateRunes().Count(),
        OrderedDictionary<object, object?> d => d.Count,
        ICollection c => c.Count,
        JinjaUndefined => 0,
        _ => throw new JinjaProblem($"a {TypeName(value)} has no length"),
    };

    public static bool IsSequence(object? value) => value is string or IList or OrderedDictionary<object, object?>;

    /// <summary>Python dict keys: 1, 1.0 and True are one key; strings compare by value.</summary>
    sealed class KeyComparer : IEqualityComparer<object>
    {
        public static readonly KeyComparer Instance = new();

        bool IEqualityComparer<object>.Equals(object? x, object? y) => AreEqual(x, y);

        public int GetHashCode(object obj) => obj switch
        {
            bool or long or double => ToDouble(obj).GetHashCode(),
            string s => s.GetHashCode(StringComparison.Ordinal),
            _ => obj.GetHashCode(),
        };
    }
}
