namespace LoraLab.Engine.Tokenization.Jinja;

/// <summary>A statement of the template: text, an output, or a tag with its body.</summary>
internal abstract record JinjaStatement(int Line);

internal sealed record TextStatement(string Text, int Line) : JinjaStatement(Line);

internal sealed record OutputStatement(JinjaExpression Value, int Line) : JinjaStatement(Line);

internal sealed record IfStatement(IReadOnlyList<(JinjaExpression Condition, IReadOnlyList<JinjaStatement> Body)> Branches, IReadOnlyList<JinjaStatement> Otherwise, int Line) : JinjaStatement(Line);

/// <summary><c>for target in iterable [if filter] … [else …] endfor</c>; the target is a name or a tuple of names.</summary>
internal sealed record ForStatement(JinjaExpression Target, JinjaExpression Iterable, JinjaExpression? Filter, IReadOnlyList<JinjaStatement> Body, IReadOnlyList<JinjaStatement> Otherwise, int Line) : JinjaStatement(Line);

/// <summary><c>set target = value</c>; the target is a name, a tuple of names, or <c>namespace.attribute</c>.</summary>
internal sealed record SetStatement(JinjaExpression Target, JinjaExpression Value, int Line) : JinjaStatement(Line);

/// <summary><c>set name [| filter] %}…{% endset</c>: the rendered body becomes the value.</summary>
internal sealed record SetBlockStatement(string Name, IReadOnlyList<FilterExpression> Filters, IReadOnlyList<JinjaStatement> Body, int Line) : JinjaStatement(Line);

internal sealed record MacroParameter(string Name, JinjaExpression? Default);

internal sealed record MacroStatement(string Name, IReadOnlyList<MacroParameter> Parameters, IReadOnlyList<JinjaStatement> Body, int Line) : JinjaStatement(Line);

/// <summary><c>call [(parameters)] macro(…) %}…{% endcall</c>: the body is what the macro's <c>caller()</c> renders.</summary>
internal sealed record CallBlockStatement(CallExpression Call, IReadOnlyList<MacroParameter> CallerParameters, IReadOnlyList<JinjaStatement> Body, int Line) : JinjaStatement(Line);

internal sealed record FilterBlockStatement(IReadOnlyList<FilterExpression> Filters, IReadOnlyList<JinjaStatement> Body, int Line) : JinjaStatement(Line);

/// <summary>Statements rendered in place, without a scope of their own (transformers' <c>generation</c> block).</summary>
internal sealed record SequenceStatement(IReadOnlyList<JinjaStatement> Body, int Line) : JinjaStatement(Line);

internal sealed record BreakStatement(int Line) : JinjaStatement(Line);

internal sealed record ContinueStatement(int Line) : JinjaStatement(Line);

/// <summary><c>do expression</c>: evaluated for its effect (e.g. <c>list.append</c>), output discarded.</summary>
internal sealed record DoStatement(JinjaExpression Value, int Line) : JinjaStatement(Line);
