using System.Text;

namespace LoraLab.Engine.Tokenization.Jinja;

/// <summary>Executes parsed statements into text; expressions are evaluated in JinjaRenderer.Expressions.cs.</summary>
internal sealed partial class JinjaRenderer(string templateName)
{
    enum Flow { Normal, Break, Continue }

    public string Render(IReadOnlyList<JinjaStatement> body, JinjaScope scope)
    {
        var output = new StringBuilder();
        if (Execute(body, scope, output) != Flow.Normal) throw Error(body.First(s => s is BreakStatement or ContinueStatement).Line, "'break' or 'continue' outside a loop");
        return output.ToString();
    }

    Flow Execute(IReadOnlyList<JinjaStatement> body, JinjaScope scope, StringBuilder output)
    {
        foreach (var statement in body)
        {
            var flow = Execute(statement, scope, output);
            if (flow != Flow.Normal) return flow;
        }
        return Flow.Normal;
    }

    Flow Execute(JinjaStatement statement, JinjaScope scope, StringBuilder output)
    {
        switch (statement)
        {
            case TextStatement text:
                output.Append(text.Text);
                return Flow.Normal;
            case OutputStatement print:
                output.Append(JinjaValues.ToStr(Evaluate(print.Value, scope)));
                return Flow.Normal;
            case IfStatement branching:
                foreach (var (condition, branch) in branching.Branches)
                    if (JinjaValues.IsTruthy(Evaluate(condition, scope))) return Execute(branch, scope, output);
                return Execute(branching.Otherwise, scope, output);
            case ForStatement loop:
                ExecuteFor(loop, scope, output);
                return Flow.Normal;
            case SetStatement set:
                Assign(set.Target, Evaluate(set.Value, scope), scope, set.Line);
                return Flow.Normal;
            case SetBlockStatement block:
                object? captured = Capture(block.Body, new JinjaScope(scope));
                foreach (var filter in block.Filters) captured = ApplyFilter(filter, captured, scope);
                scope.Set(block.Name, captured);
                return Flow.Normal;
            case MacroStatement macro:
                scope.Set(macro.Name, DefineMacro(macro.Name, macro.Parameters, macro.Body, scope, caller: null));
                return Flow.Normal;
            case CallBlockStatement call:
                var caller = DefineMacro("caller", call.CallerParameters, call.Body, scope, caller: null);
                output.Append(JinjaValues.ToStr(Call(call.Call, scope, caller)));
                return Flow.Normal;
            case FilterBlockStatement filterBlock:
                object? filtered = Capture(filterBlock.Body, scope);
                foreach (var filter in filterBlock.Filters) filtered = ApplyFilter(filter, filtered, scope);
                output.Append(JinjaValues.ToStr(filtered));
                return Flow.Normal;
            case SequenceStatement sequence:
                return Execute(sequence.Body, scope, output);
            case BreakStatement:
                return Flow.Break;
            case ContinueStatement:
                return Flow.Continue;
            case DoStatement effect:
                Evaluate(effect.Value, scope);
                return Flow.Normal;
            default:
                throw Error(statement.Line, $"cannot execute a {statement.GetType().Name}");
        }
    }

    string Capture(IReadOnlyList<JinjaStatement> body, JinjaScope scope)
    {
        var text = new StringBuilder();
        Execute(body, scope, text);
        return text.ToString();
    }

    /// <summary>The loop's <c>if</c> filters before counting, so <c>loop.index</c> and <c>loop.last</c> see only the kept items.</summary>
    void ExecuteFor(ForStatement loop, JinjaScope scope, StringBuilder output)
    {
        var frame = new JinjaScope(scope);
        var items = Guard(loop.Iterable.Line, () => JinjaValues.Items(Evaluate(loop.Iterable, scope)));
        if (loop.Filter is not null)
            items = items.Where(item =>
            {
                Assign(loop.Target, item, frame, loop.Line);
                return JinjaValues.IsTruthy(Evaluate(loop.Filter, frame));
            }).ToList();
        if (items.Count == 0)
        {
            Execute(loop.Otherwise, scope, output);
            return;
        }
        var state = new JinjaLoop(items);
        frame.Set("loop", state);
        for (int i = 0; i < items.Count; i++)
        {
            state.Index0 = i;
            Assign(loop.Target, items[i], frame, loop.Line);
            if (Execute(loop.Body, frame, output) == Flow.Break) break;
        }
    }

    void Assign(JinjaExpression target, object? value, JinjaScope scope, int line)
    {
        switch (target)
        {
            case NameExpression name:
                scope.Set(name.Name, value);
                break;
            case TupleExpression tuple:
                var values = Guard(line, () => JinjaValues.Items(value));
                if (values.Count != tuple.Items.Count)
                    throw Error(line, $"cannot unpack {values.Count} values into {tuple.Items.Count} names");
                for (int i = 0; i < values.Count; i++) Assign(tuple.Items[i], values[i], scope, line);
                break;
            case AttributeExpression { Target: NameExpression owner } attribute:
                if (scope.Lookup(owner.Name) is not JinjaNamespace ns)
                    throw Error(line, $"'{owner.Name}' is not a namespace, so 'set {owner.Name}.{attribute.Name}' cannot assign to it");
                ns.Attributes[attribute.Name] = value;
                break;
            default:
                throw Error(line, "cannot assign to this expression");
        }
    }

    /// <summary>A macro is a function whose frame sees the variables where it was defined, its arguments and <c>caller</c>.</summary>
    JinjaFunction DefineMacro(string name, IReadOnlyList<MacroParameter> parameters, IReadOnlyList<JinjaStatement> body, JinjaScope definedIn, JinjaFunction? caller) =>
        arguments =>
        {
            var frame = new JinjaScope(definedIn);
            if (arguments.Positional.Count > parameters.Count)
                throw new JinjaProblem($"macro '{name}' takes {parameters.Count} arguments but was given {arguments.Positional.Count}");
            for (int i = 0; i < parameters.Count; i++)
            {
                var parameter = parameters[i];
                object? value = arguments.Has(i, parameter.Name) ? arguments.Get(i, parameter.Name)
                    : parameter.Default is { } fallback ? Evaluate(fallback, frame) : JinjaUndefined.Instance;
                frame.Set(parameter.Name, value);
            }
            if (arguments.Named.TryGetValue("caller", out var given)) frame.Set("caller", given);
            return Capture(body, frame);
        };

    JinjaTemplateException Error(int line, string problem) => new($"{templateName}, line {line}: {problem}");

    /// <summary>Turns a problem raised without a line into the template's error at <paramref name="line"/>.</summary>
    T Guard<T>(int line, Func<T> evaluate)
    {
        try
        {
            return evaluate();
        }
        catch (JinjaProblem problem)
        {
            throw new JinjaTemplateException(
                problem.RaisedByTemplate ? $"{templateName}, line {line}: the template raised an error: {problem.Message}" : $"{templateName}, line {line}: {problem.Message}",
                problem.RaisedByTemplate);
        }
    }
}
