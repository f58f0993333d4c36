namespace LoraLab.Engine.Tokenization.Jinja;

/// <summary>An expression of the template, with the line it starts on for error messages.</summary>
internal abstract record JinjaExpression(int Line);

internal sealed record LiteralExpression(object? Value, int Line) : JinjaExpression(Line);

internal sealed record NameExpression(string Name, int Line) : JinjaExpression(Line);

internal sealed record ListExpression(IReadOnlyList<JinjaExpression> Items, int Line) : JinjaExpression(Line);

internal sealed record TupleExpression(IReadOnlyList<JinjaExpression> Items, int Line) : JinjaExpression(Line);

internal sealed record DictExpression(IReadOnlyList<(JinjaExpression Key, JinjaExpression Value)> Pairs, int Line) : JinjaExpression(Line);

/// <summary><c>target.name</c>: a Python attribute (a method) first, then the item of that name.</summary>
internal sealed record AttributeExpression(JinjaExpression Target, string Name, int Line) : JinjaExpression(Line);

/// <summary><c>target[index]</c>: the item first, then an attribute of that name.</summary>
internal sealed record SubscriptExpression(JinjaExpression Target, JinjaExpression Index, int Line) : JinjaExpression(Line);

internal sealed record SliceExpression(JinjaExpression? Start, JinjaExpression? Stop, JinjaExpression? Step, int Line) : JinjaExpression(Line);

internal sealed record Arguments(IReadOnlyList<JinjaExpression> Positional, IReadOnlyList<(string Name, JinjaExpression Value)> Named)
{
    public static readonly Arguments None = new([], []);
}

internal sealed record CallExpression(JinjaExpression Callee, Arguments Arguments, int Line) : JinjaExpression(Line);

internal sealed record FilterExpression(JinjaExpression? Target, string Name, Arguments Arguments, int Line) : JinjaExpression(Line);

internal sealed record TestExpression(JinjaExpression Target, string Name, bool Negated, Arguments Arguments, int Line) : JinjaExpression(Line);

internal sealed record BinaryExpression(string Operator, JinjaExpression Left, JinjaExpression Right, int Line) : JinjaExpression(Line);

internal sealed record UnaryExpression(string Operator, JinjaExpression Operand, int Line) : JinjaExpression(Line);

/// <summary><c>then if condition else otherwise</c>; without <c>else</c> the false branch is undefined, as in Jinja.</summary>
internal sealed record ConditionalExpression(JinjaExpression Condition, JinjaExpression Then, JinjaExpression? Otherwise, int Line) : JinjaExpression(Line);
