using System.Collections;

namespace LoraLab.Engine.Tokenization.Jinja;

/// <summary>Jinja2's built-in tests (<c>x is defined</c>, <c>x is divisibleby 3</c>…).</summary>
internal static class JinjaTests
{
    static readonly Dictionary<string, Func<object?, JinjaArguments, bool>> All = new()
    {
        ["defined"] = (v, _) => v is not JinjaUndefined,
        ["undefined"] = (v, _) => v is JinjaUndefined,
        ["none"] = (v, _) => v is null,
        ["boolean"] = (v, _) => v is bool,
        ["true"] = (v, _) => v is true,
        ["false"] = (v, _) => v is false,
        ["string"] = (v, _) => v is string,
        ["mapping"] = (v, _) => v is OrderedDictionary<object, object?>,
        ["iterable"] = (v, _) => v is string or IList or OrderedDictionary<object, object?>,
        ["sequence"] = (v, _) => JinjaValues.IsSequence(v),
        ["number"] = (v, _) => v is long or double,
        ["integer"] = (v, _) => v is long,
        ["float"] = (v, _) => v is double,
        ["callable"] = (v, _) => v is JinjaFunction,
        ["even"] = (v, _) => JinjaValues.ToLong(v) % 2 == 0,
        ["odd"] = (v, _) => JinjaValues.ToLong(v) % 2 != 0,
        ["divisibleby"] = (v, a) => JinjaValues.ToLong(v) % JinjaValues.ToLong(a.Get(0, "num")) == 0,
        ["lower"] = (v, _) => v is string s && s == s.ToLowerInvariant(),
        ["upper"] = (v, _) => v is string s && s == s.ToUpperInvariant(),
        ["equalto"] = (v, a) => JinjaValues.AreEqual(v, a.Get(0, "other")),
        ["eq"] = (v, a) => JinjaValues.AreEqual(v, a.Get(0, "other")),
        ["=="] = (v, a) => JinjaValues.AreEqual(v, a.Get(0, "other")),
        ["ne"] = (v, a) => !JinjaValues.AreEqual(v, a.Get(0, "other")),
        ["!="] = (v, a) => !JinjaValues.AreEqual(v, a.Get(0, "other")),
        ["lt"] = (v, a) => JinjaValues.Compare(v, a.Get(0, "other")) < 0,
        ["<"] = (v, a) => JinjaValues.Compare(v, a.Get(0, "other")) < 0,
        ["le"] = (v, a) => JinjaValues.Compare(v, a.Get(0, "other")) <= 0,
        ["<="] = (v, a) => JinjaValues.Compare(v, a.Get(0, "other")) <= 0,
        ["gt"] = (v, a) => JinjaValues.Compare(v, a.Get(0, "other")) > 0,
        [">"] = (v, a) => JinjaValues.Compare(v, a.Get(0, "other")) > 0,
        ["ge"] = (v, a) => JinjaValues.Compare(v, a.Get(0, "other")) >= 0,
        [">="] = (v, a) => JinjaValues.Compare(v, a.Get(0, "other")) >= 0,
        ["in"] = (v, a) => JinjaOperators.Contains(a.Get(0, "seq"), v),
        ["sameas"] = (v, a) => SameAs(v, a.Get(0, "other")),
    };

    public static bool Exists(string name) => All.ContainsKey(name);

    public static bool Apply(string name, object? value, JinjaArguments arguments) =>
        All.TryGetValue(name, out var test) ? test(value, arguments) : throw new JinjaProblem($"unknown test '{name}'");

    /// <summary>Python's <c>is</c>: None, True and False are singletons; small values compare by value, others by reference.</summary>
    static bool SameAs(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (bool x, bool y) => x == y,
        (long x, long y) => x == y,
        (string x, string y) => x == y,
        _ => ReferenceEquals(a, b),
    };
}
