namespace LoraLab.Engine.Tokenization.Jinja;

/// <summary>
/// Turns tokens into statements. Unknown tags, filters and tests are errors here, at load, as Jinja2 reports them when
/// it compiles a template. Expressions are parsed in JinjaParser.Expressions.cs.
/// </summary>
internal sealed partial class JinjaParser
{
    readonly List<JinjaToken> tokens;
    readonly string templateName;
    int next;

    JinjaParser(List<JinjaToken> tokens, string templateName)
    {
        this.tokens = tokens;
        this.templateName = templateName;
    }

    public static IReadOnlyList<JinjaStatement> Parse(string source, string templateName)
    {
        var parser = new JinjaParser(JinjaLexer.Tokenize(source, templateName), templateName);
        var body = parser.ParseBody([], opener: null);
        return body;
    }

    JinjaToken Current => tokens[next];
    JinjaToken Peek(int ahead = 1) => tokens[Math.Min(next + ahead, tokens.Count - 1)];
    JinjaToken Advance() => tokens[next++];

    /// <summary>Statements up to a block tag named in <paramref name="ends"/>, which is left as the current token.</summary>
    List<JinjaStatement> ParseBody(string[] ends, JinjaToken? opener)
    {
        var body = new List<JinjaStatement>();
        while (true)
        {
            var token = Current;
            switch (token.Kind)
            {
                case JinjaTokenKind.EndOfTemplate:
                    if (opener is null) return body;
                    throw Error(opener.Line, $"the '{opener.Value}' block opened here is never closed with '{ends[^1]}'");
                case JinjaTokenKind.Text:
                    body.Add(new TextStatement(Advance().Value, token.Line));
                    break;
                case JinjaTokenKind.VariableStart:
                    Advance();
                    body.Add(new OutputStatement(ParseExpression(), token.Line));
                    Expect(JinjaTokenKind.VariableEnd, "'}}'");
                    break;
                case JinjaTokenKind.BlockStart:
                    var tag = Peek();
                    if (tag.Kind == JinjaTokenKind.Name && ends.Contains(tag.Value))
                    {
                        Advance();
                        return body;
                    }
                    Advance();
                    body.Add(ParseTag());
                    break;
                default:
                    throw Error(token.Line, $"unexpected {token}");
            }
        }
    }

    JinjaStatement ParseTag()
    {
        var tag = Expect(JinjaTokenKind.Name, "a tag name");
        JinjaStatement statement = tag.Value switch
        {
            "if" => ParseIf(tag),
            "for" => ParseFor(tag),
            "set" => ParseSet(tag),
            "macro" => ParseMacro(tag),
            "call" => ParseCallBlock(tag),
            "filter" => ParseFilterBlock(tag),
            "generation" => ParseGeneration(tag),
            "break" => EndTag(new BreakStatement(tag.Line)),
            "continue" => EndTag(new ContinueStatement(tag.Line)),
            "do" => EndTag(new DoStatement(ParseExpression(), tag.Line)),
            _ => throw Error(tag.Line, $"unknown tag '{tag.Value}'"),
        };
        return statement;
    }

    T EndTag<T>(T statement)
    {
        Expect(JinjaTokenKind.BlockEnd, "'%}'");
        return statement;
    }

    /// <summary>Parses the body up to one of <paramref name="ends"/> and returns the closing tag's name.</summary>
    (List<JinjaStatement> Body, string End) Block(JinjaToken opener, params string[] ends)
    {
        var body = ParseBody(ends, opener);
        return (body, Advance().Value);
    }

    JinjaStatement ParseIf(JinjaToken opener)
    {
        var branches = new List<(JinjaExpression, IReadOnlyList<JinjaStatement>)>();
        var condition = ParseExpression();
        Expect(JinjaTokenKind.BlockEnd, "'%}'");
        while (true)
        {
            var (body, end) = Block(opener, "elif", "else", "endif");
            branches.Add((condition, body));
            if (end == "elif")
            {
                condition = ParseExpression();
                Expect(JinjaTokenKind.BlockEnd, "'%}'");
                continue;
            }
            Expect(JinjaTokenKind.BlockEnd, "'%}'");
            if (end == "endif") return new IfStatement(branches, [], opener.Line);
            var (otherwise, _) = Block(opener, "endif");
            Expect(JinjaTokenKind.BlockEnd, "'%}'");
            return new IfStatement(branches, otherwise, opener.Line);
        }
    }

    JinjaStatement ParseFor(JinjaToken opener)
    {
        var target = ParseAssignTarget(allowAttribute: false);
        ExpectName("in");
        var iterable = ParseTernaryFree();
        JinjaExpression? filter = null;
        if (Current.IsName("if"))
        {
            Advance();
            filter = ParseExpression();
        }
        if (Current.IsName("recursive")) throw Error(Current.Line, "recursive loops are not supported");
        Expect(JinjaTokenKind.BlockEnd, "'%}'");
        var (body, end) = Block(opener, "else", "endfor");
        Expect(JinjaTokenKind.BlockEnd, "'%}'");
        if (end == "endfor") return new ForStatement(target, iterable, filter, body, [], opener.Line);
        var (otherwise, _) = Block(opener, "endfor");
        Expect(JinjaTokenKind.BlockEnd, "'%}'");
        return new ForStatement(target, iterable, filter, body, otherwise, opener.Line);
    }

    JinjaStatement ParseSet(JinjaToken opener)
    {
        var target = ParseAssignTarget(allowAttribute: true);
        if (Current.IsOperator("="))
        {
            Advance();
            var value = ParseExpressionOrTuple();
            return EndTag(new SetStatement(target, value, opener.Line));
        }
        if (target is not NameExpression name) throw Error(opener.Line, "a 'set' block assigns to one name");
        var filters = new List<FilterExpression>();
        while (Current.IsOperator("|"))
        {
            Advance();
            filters.Add(ParseFilterCall(null));
        }
        Expect(JinjaTokenKind.BlockEnd, "'%}'");
        var (body, _) = Block(opener, "endset");
        Expect(JinjaTokenKind.BlockEnd, "'%}'");
        return new SetBlockStatement(name.Name, filters, body, opener.Line);
    }

    JinjaExpression ParseAssignTarget(bool allowAttribute)
    {
        var items = new List<JinjaExpression>();
        do
        {
            if (items.Count > 0) Advance();
            var name = Expect(JinjaTokenKind.Name, "a variable name");
            JinjaExpression target = new NameExpression(name.Value, name.Line);
            if (allowAttribute && Current.IsOperator("."))
            {
                Advance();
                target = new AttributeExpression(target, Expect(JinjaTokenKind.Name, "an attribute name").Value, name.Line);
            }
            items.Add(target);
        } while (Current.IsOperator(","));
        return items.Count == 1 ? items[0] : new TupleExpression(items, items[0].Line);
    }

    JinjaStatement ParseMacro(JinjaToken opener)
    {
        string name = Expect(JinjaTokenKind.Name, "a macro name").Value;
        var parameters = ParseParameters();
        Expect(JinjaTokenKind.BlockEnd, "'%}'");
        var (body, _) = Block(opener, "endmacro");
        Expect(JinjaTokenKind.BlockEnd, "'%}'");
        return new MacroStatement(name, parameters, body, opener.Line);
    }

    List<MacroParameter> ParseParameters()
    {
        var parameters = new List<MacroParameter>();
        Expect(JinjaTokenKind.Operator, "'('", "(");
        while (!Current.IsOperator(")"))
        {
            if (parameters.Count > 0) Expect(JinjaTokenKind.Operator, "','", ",");
            string name = Expect(JinjaTokenKind.Name, "a parameter name").Value;
            JinjaExpression? fallback = null;
            if (Current.IsOperator("="))
            {
                Advance();
                fallback = ParseExpression();
            }
            parameters.Add(new MacroParameter(name, fallback));
        }
        Advance();
        return parameters;
    }

    JinjaStatement ParseCallBlock(JinjaToken opener)
    {
        var callerParameters = Current.IsOperator("(") ? ParseParameters() : [];
        if (ParseExpression() is not CallExpression call) throw Error(opener.Line, "a 'call' block must call a macro");
        Expect(JinjaTokenKind.BlockEnd, "'%}'");
        var (body, _) = Block(opener, "endcall");
        Expect(JinjaTokenKind.BlockEnd, "'%}'");
        return new CallBlockStatement(call, callerParameters, body, opener.Line);
    }

    JinjaStatement ParseFilterBlock(JinjaToken opener)
    {
        var filters = new List<FilterExpression> { ParseFilterCall(null) };
        while (Current.IsOperator("|"))
        {
            Advance();
            filters.Add(ParseFilterCall(null));
        }
        Expect(JinjaTokenKind.BlockEnd, "'%}'");
        var (body, _) = Block(opener, "endfilter");
        Expect(JinjaTokenKind.BlockEnd, "'%}'");
        return new FilterBlockStatement(filters, body, opener.Line);
    }

    /// <summary>transformers' <c>{% generation %}</c> marks assistant text for its masks; its content renders as is.</summary>
    JinjaStatement ParseGeneration(JinjaToken opener)
    {
        Expect(JinjaTokenKind.BlockEnd, "'%}'");
        var (body, _) = Block(opener, "endgeneration");
        Expect(JinjaTokenKind.BlockEnd, "'%}'");
        return new SequenceStatement(body, opener.Line);
    }

    JinjaToken Expect(JinjaTokenKind kind, string what, string? value = null)
    {
        var token = Current;
        if (token.Kind != kind || (value is not null && token.Value != value))
            throw Error(token.Line, $"expected {what} but found {token}");
        return Advance();
    }

    void ExpectName(string name) => Expect(JinjaTokenKind.Name, $"'{name}'", name);

    JinjaTemplateException Error(int line, string problem) => new($"{templateName}, line {line}: {problem}");
}
