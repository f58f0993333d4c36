namespace LoraLab.Engine.Tokenization.Jinja;

/// <summary>Something a template can call: a global, a bound method, a macro, a loop's <c>cycle</c>.</summary>
internal delegate object? JinjaFunction(JinjaArguments arguments);

/// <summary>Evaluated call arguments with Python's binding: by position or by name, with defaults.</summary>
internal sealed record JinjaArguments(IReadOnlyList<object?> Positional, IReadOnlyDictionary<string, object?> Named)
{
    public static readonly JinjaArguments Empty = new([], new Dictionary<string, object?>());

    public static JinjaArguments Of(params object?[] positional) => new(positional, new Dictionary<string, object?>());

    public object? Get(int position, string name, object? fallback = null) =>
        position < Positional.Count ? Positional[position] : Named.TryGetValue(name, out var value) ? value : fallback;

    public bool Has(int position, string name) => position < Positional.Count || Named.ContainsKey(name);
}
