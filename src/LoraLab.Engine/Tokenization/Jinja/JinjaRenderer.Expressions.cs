namespace LoraLab.Engine.Tokenization.Jinja;

internal sealed partial class JinjaRenderer
{
    object? Evaluate(JinjaExpression expression, JinjaScope scope) => Guard(expression.Line, () => EvaluateCore(expression, scope));

    object? EvaluateCore(JinjaExpression expression, JinjaScope scope) => expression switch
    {
        LiteralExpression literal => literal.Value,
        NameExpression name => scope.Lookup(name.Name),
        ListExpression list => list.Items.Select(item => Evaluate(item, scope)).ToList(),
        TupleExpression tuple => tuple.Items.Select(item => Evaluate(item, scope)).ToArray(),
        DictExpression dict => BuildDict(dict, scope),
        AttributeExpression attribute => JinjaAccess.Attribute(Evaluate(attribute.Target, scope), attribute.Name),
        SubscriptExpression { Index: SliceExpression slice } sliced => JinjaAccess.Slice(Evaluate(sliced.Target, scope),
            Optional(slice.Start, scope), Optional(slice.Stop, scope), Optional(slice.Step, scope)),
        SubscriptExpression subscript => JinjaAccess.Subscript(Evaluate(subscript.Target, scope), Evaluate(subscript.Index, scope)),
        CallExpression call => Call(call, scope, caller: null),
        FilterExpression filter => ApplyFilter(filter, Evaluate(filter.Target!, scope), scope),
        TestExpression test => JinjaTests.Apply(test.Name, Evaluate(test.Target, scope), EvaluateArguments(test.Arguments, scope)) != test.Negated,
        BinaryExpression { Operator: "and" } and => Evaluate(and.Left, scope) is var left && !JinjaValues.IsTruthy(left) ? left : Evaluate(and.Right, scope),
        BinaryExpression { Operator: "or" } or => Evaluate(or.Left, scope) is var left && JinjaValues.IsTruthy(left) ? left : Evaluate(or.Right, scope),
        BinaryExpression binary => JinjaOperators.Binary(binary.Operator, Evaluate(binary.Left, scope), Evaluate(binary.Right, scope)),
        UnaryExpression { Operator: "not" } not => !JinjaValues.IsTruthy(Evaluate(not.Operand, scope)),
        UnaryExpression { Operator: "-" } negation => JinjaOperators.Negate(Evaluate(negation.Operand, scope)),
        UnaryExpression plus => Evaluate(plus.Operand, scope),
        ConditionalExpression conditional => JinjaValues.IsTruthy(Evaluate(conditional.Condition, scope))
            ? Evaluate(conditional.Then, scope)
            : conditional.Otherwise is { } otherwise ? Evaluate(otherwise, scope) : JinjaUndefined.Instance,
        _ => throw new JinjaProblem($"cannot evaluate a {expression.GetType().Name}"),
    };

    object? Optional(JinjaExpression? expression, JinjaScope scope) => expression is null ? null : Evaluate(expression, scope);

    OrderedDictionary<object, object?> BuildDict(DictExpression dict, JinjaScope scope)
    {
        var result = JinjaValues.NewDict();
        foreach (var (key, value) in dict.Pairs)
            result[Evaluate(key, scope) ?? throw new JinjaProblem("a dict key cannot be none")] = Evaluate(value, scope);
        return result;
    }

    JinjaArguments EvaluateArguments(Arguments arguments, JinjaScope scope) => new(
        arguments.Positional.Select(a => Evaluate(a, scope)).ToList(),
        arguments.Named.ToDictionary(n => n.Name, n => Evaluate(n.Value, scope)));

    object? ApplyFilter(FilterExpression filter, object? value, JinjaScope scope) =>
        JinjaFilters.Apply(filter.Name, value, EvaluateArguments(filter.Arguments, scope));

    object? Call(CallExpression call, JinjaScope scope, JinjaFunction? caller)
    {
        var callee = Evaluate(call.Callee, scope);
        var arguments = EvaluateArguments(call.Arguments, scope);
        if (caller is not null)
            arguments = arguments with { Named = new Dictionary<string, object?>(arguments.Named) { ["caller"] = caller } };
        if (callee is JinjaFunction function) return function(arguments);
        string what = call.Callee switch
        {
            NameExpression name => $"'{name.Name}'",
            AttributeExpression attribute => $"'{attribute.Name}'",
            _ => "the expression",
        };
        throw new JinjaProblem(callee is JinjaUndefined ? $"{what} is undefined and cannot be called" : $"{what} is a {JinjaValues.TypeName(callee)} and cannot be called");
    }
}
