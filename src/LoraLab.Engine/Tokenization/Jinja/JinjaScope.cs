namespace LoraLab.Engine.Tokenization.Jinja;

/// <summary>
/// Variables of one frame. A for loop or a macro call opens a frame, so what it sets does not leak out (hence
/// <c>namespace()</c>); an if block does not.
/// </summary>
internal sealed class JinjaScope(JinjaScope? parent)
{
    readonly Dictionary<string, object?> variables = [];

    JinjaScope? Parent { get; } = parent;

    public object? Lookup(string name)
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
            if (scope.variables.TryGetValue(name, out var value)) return value;
        return JinjaUndefined.Instance;
    }

    public void Set(string name, object? value) => variables[name] = value;
}
