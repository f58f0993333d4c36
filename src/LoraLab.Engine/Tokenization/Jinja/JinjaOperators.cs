using System.Collections;

namespace LoraLab.Engine.Tokenization.Jinja;

/// <summary>Python's arithmetic, concatenation, comparison and membership on template values.</summary>
internal static class JinjaOperators
{
    public static object? Binary(string op, object? left, object? right)
    {
        if (op == "~") return JinjaValues.ToStr(left) + JinjaValues.ToStr(right);
        if (op is "==" or "!=") return JinjaValues.AreEqual(left, right) == (op == "==");
        if (op == "in") return Contains(right, left);
        if (op == "not in") return !Contains(right, left);
        if (left is JinjaUndefined || right is JinjaUndefined)
            throw new JinjaProblem($"an undefined value cannot be used with '{op}'");
        return op switch
        {
            "<" => JinjaValues.Compare(left, right) < 0,
            ">" => JinjaValues.Compare(left, right) > 0,
            "<=" => JinjaValues.Compare(left, right) <= 0,
            ">=" => JinjaValues.Compare(left, right) >= 0,
            "+" => Add(left, right),
            "*" => Multiply(left, right),
            _ => Arithmetic(op, left, right),
        };
    }

    static object? Add(object? left, object? right) => (left, right) switch
    {
        (string a, string b) => a + b,
        (object?[] a, object?[] b) => a.Concat(b).ToArray(),
        (IList a, IList b) when a is not OrderedDictionary<object, object?> => a.Cast<object?>().Concat(b.Cast<object?>()).ToList(),
        _ when JinjaValues.IsNumber(left) && JinjaValues.IsNumber(right) => Arithmetic("+", left, right),
        _ => throw Unsupported("+", left, right),
    };

    static object? Multiply(object? left, object? right) => (left, right) switch
    {
        (string s, long n) => string.Concat(Enumerable.Repeat(s, (int)Math.Max(0, n))),
        (long n, string s) => string.Concat(Enumerable.Repeat(s, (int)Math.Max(0, n))),
        (IList list, long n) => Enumerable.Repeat(list.Cast<object?>(), (int)Math.Max(0, n)).SelectMany(x => x).ToList(),
        _ when JinjaValues.IsNumber(left) && JinjaValues.IsNumber(right) => Arithmetic("*", left, right),
        _ => throw Unsupported("*", left, right),
    };

    static object? Arithmetic(string op, object? left, object? right)
    {
        if (!JinjaValues.IsNumber(left) || !JinjaValues.IsNumber(right)) throw Unsupported(op, left, right);
        bool integers = left is long or bool && right is long or bool;
        if (op == "/")
        {
            double divisor = JinjaValues.ToDouble(right);
            return divisor == 0 ? throw new JinjaProblem("division by zero") : JinjaValues.ToDouble(left) / divisor;
        }
        if (integers)
        {
            long a = JinjaValues.ToLong(left), b = JinjaValues.ToLong(right);
            if (op is "//" or "%" && b == 0) throw new JinjaProblem("integer division or modulo by zero");
            return op switch
            {
                "+" => a + b,
                "-" => a - b,
                "*" => a * b,
                "//" => (long)Math.Floor((double)a / b),
                "%" => ((a % b) + b) % b,
                "**" => b >= 0 ? (object)(long)Math.Pow(a, b) : Math.Pow(a, b),
                _ => throw Unsupported(op, left, right),
            };
        }
        double x = JinjaValues.ToDouble(left), y = JinjaValues.ToDouble(right);
        return op switch
        {
            "+" => x + y,
            "-" => x - y,
            "*" => x * y,
            "//" => Math.Floor(x / y),
            "%" => x - y * Math.Floor(x / y),
            "**" => Math.Pow(x, y),
            _ => throw Unsupported(op, left, right),
        };
    }

    // The arms are boxed one by one: unboxed, C# would give the switch the common type double and -1 would be -1.0.
    public static object? Negate(object? value) => value switch
    {
        long i => (object)(-i),
        double d => -d,
        bool b => b ? -1L : 0L,
        _ => throw new JinjaProblem($"a {JinjaValues.TypeName(value)} cannot be negated"),
    };

    /// <summary>Python's <c>needle in haystack</c>: a substring, a list item or a dict key.</summary>
    public static bool Contains(object? haystack, object? needle) => haystack switch
    {
        string s when needle is string n => s.Contains(n, StringComparison.Ordinal),
        string => throw new JinjaProblem($"'in <string>' requires a string on the left, not a {JinjaValues.TypeName(needle)}"),
        OrderedDictionary<object, object?> dict => needle is not null && dict.ContainsKey(needle),
        IList list => list.Cast<object?>().Any(item => JinjaValues.AreEqual(item, needle)),
        JinjaUndefined => false,
        _ => throw new JinjaProblem($"a {JinjaValues.TypeName(haystack)} cannot be searched with 'in'"),
    };

    static JinjaProblem Unsupported(string op, object? left, object? right) =>
        new($"'{op}' is not supported between a {JinjaValues.TypeName(left)} and a {JinjaValues.TypeName(right)}");
}
