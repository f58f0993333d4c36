using System.Globalization;

namespace LoraLab.Engine.Tokenization.Jinja;

/// <summary>Jinja2's expression grammar, loosest first: conditional, or, and, not, comparison, + -, ~, * / // %, **, unary, postfix.</summary>
internal sealed partial class JinjaParser
{
    static readonly string[] Comparisons = ["==", "!=", "<", ">", "<=", ">="];

    JinjaExpression ParseExpression()
    {
        var then = ParseOr();
        while (Current.IsName("if"))
        {
            int line = Advance().Line;
            var condition = ParseOr();
            JinjaExpression? otherwise = null;
            if (Current.IsName("else"))
            {
                Advance();
                otherwise = ParseExpression();
            }
            then = new ConditionalExpression(condition, then, otherwise, line);
        }
        return then;
    }

    /// <summary>The iterable of a for loop: no conditional, since its <c>if</c> filters the loop.</summary>
    JinjaExpression ParseTernaryFree() => ParseOr();

    /// <summary><c>set a, b = 1, 2</c> assigns a tuple written without parentheses.</summary>
    JinjaExpression ParseExpressionOrTuple()
    {
        var first = ParseExpression();
        if (!Current.IsOperator(",")) return first;
        var items = new List<JinjaExpression> { first };
        while (Current.IsOperator(","))
        {
            Advance();
            items.Add(ParseExpression());
        }
        return new TupleExpression(items, first.Line);
    }

    JinjaExpression ParseOr()
    {
        var left = ParseAnd();
        while (Current.IsName("or")) left = new BinaryExpression("or", left, Skip(ParseAnd), left.Line);
        return left;
    }

    JinjaExpression ParseAnd()
    {
        var left = ParseNot();
        while (Current.IsName("and")) left = new BinaryExpression("and", left, Skip(ParseNot), left.Line);
        return left;
    }

    JinjaExpression ParseNot()
    {
        if (Current.IsName("not")) return new UnaryExpression("not", Skip(ParseNot), Current.Line);
        return ParseComparison();
    }

    JinjaExpression ParseComparison()
    {
        var left = ParseAdditive();
        while (true)
        {
            var token = Current;
            if (token.Kind == JinjaTokenKind.Operator && Comparisons.Contains(token.Value))
                left = new BinaryExpression(token.Value, left, Skip(ParseAdditive), token.Line);
            else if (token.IsName("in"))
                left = new BinaryExpression("in", left, Skip(ParseAdditive), token.Line);
            else if (token.IsName("not") && Peek().IsName("in"))
            {
                Advance();
                left = new BinaryExpression("not in", left, Skip(ParseAdditive), token.Line);
            }
            else return left;
        }
    }

    JinjaExpression ParseAdditive()
    {
        var left = ParseConcat();
        while (Current.IsOperator("+") || Current.IsOperator("-"))
        {
            var op = Current;
            left = new BinaryExpression(op.Value, left, Skip(ParseConcat), op.Line);
        }
        return left;
    }

    JinjaExpression ParseConcat()
    {
        var left = ParseMultiplicative();
        while (Current.IsOperator("~")) left = new BinaryExpression("~", left, Skip(ParseMultiplicative), left.Line);
        return left;
    }

    JinjaExpression ParseMultiplicative()
    {
        var left = ParsePower();
        while (Current.Kind == JinjaTokenKind.Operator && Current.Value is "*" or "/" or "//" or "%")
        {
            var op = Current;
            left = new BinaryExpression(op.Value, left, Skip(ParsePower), op.Line);
        }
        return left;
    }

    JinjaExpression ParsePower()
    {
        var left = ParseUnary(withFilters: true);
        while (Current.IsOperator("**")) left = new BinaryExpression("**", left, Skip(() => ParseUnary(withFilters: true)), left.Line);
        return left;
    }

    JinjaExpression ParseUnary(bool withFilters)
    {
        var token = Current;
        JinjaExpression node = token.IsOperator("-") || token.IsOperator("+")
            ? new UnaryExpression(token.Value, Skip(() => ParseUnary(withFilters: false)), token.Line)
            : ParsePrimary();
        node = ParsePostfix(node);
        return withFilters ? ParseFiltersAndTests(node) : node;
    }

    /// <summary>Consumes the operator token, then parses its operand.</summary>
    JinjaExpression Skip(Func<JinjaExpression> operand)
    {
        Advance();
        return operand();
    }

    JinjaExpression ParsePrimary()
    {
        var token = Advance();
        switch (token.Kind)
        {
            case JinjaTokenKind.Name:
                return token.Value switch
                {
                    "true" or "True" => new LiteralExpression(true, token.Line),
                    "false" or "False" => new LiteralExpression(false, token.Line),
                    "none" or "None" => new LiteralExpression(null, token.Line),
                    _ => new NameExpression(token.Value, token.Line),
                };
            case JinjaTokenKind.String:
                string text = token.Value;
                while (Current.Kind == JinjaTokenKind.String) text += Advance().Value;
                return new LiteralExpression(text, token.Line);
            case JinjaTokenKind.Integer:
                return new LiteralExpression(long.Parse(token.Value, CultureInfo.InvariantCulture), token.Line);
            case JinjaTokenKind.Float:
                return new LiteralExpression(double.Parse(token.Value, CultureInfo.InvariantCulture), token.Line);
            case JinjaTokenKind.Operator when token.Value == "(":
                return ParseParenthesised(token);
            case JinjaTokenKind.Operator when token.Value == "[":
                return new ListExpression(ParseItems("]"), token.Line);
            case JinjaTokenKind.Operator when token.Value == "{":
                return ParseDict(token);
            default:
                throw Error(token.Line, $"unexpected {token} in an expression");
        }
    }

    JinjaExpression ParseParenthesised(JinjaToken open)
    {
        if (Current.IsOperator(")"))
        {
            Advance();
            return new TupleExpression([], open.Line);
        }
        var first = ParseExpression();
        if (Current.IsOperator(")"))
        {
            Advance();
            return first;
        }
        var items = new List<JinjaExpression> { first };
        while (Current.IsOperator(","))
        {
            Advance();
            if (Current.IsOperator(")")) break;
            items.Add(ParseExpression());
        }
        Expect(JinjaTokenKind.Operator, "')'", ")");
        return new TupleExpression(items, open.Line);
    }

    List<JinjaExpression> ParseItems(string close)
    {
        var items = new List<JinjaExpression>();
        while (!Current.IsOperator(close))
        {
            if (items.Count > 0)
            {
                Expect(JinjaTokenKind.Operator, "','", ",");
                if (Current.IsOperator(close)) break;
            }
            items.Add(ParseExpression());
        }
        Advance();
        return items;
    }

    JinjaExpression ParseDict(JinjaToken open)
    {
        var pairs = new List<(JinjaExpression, JinjaExpression)>();
        while (!Current.IsOperator("}"))
        {
            if (pairs.Count > 0)
            {
                Expect(JinjaTokenKind.Operator, "','", ",");
                if (Current.IsOperator("}")) break;
            }
            var key = ParseExpression();
            Expect(JinjaTokenKind.Operator, "':'", ":");
            pairs.Add((key, ParseExpression()));
        }
        Advance();
        return new DictExpression(pairs, open.Line);
    }

    JinjaExpression ParsePostfix(JinjaExpression node)
    {
        while (true)
        {
            var token = Current;
            if (token.IsOperator("."))
            {
                Advance();
                var name = Advance();
                if (name.Kind == JinjaTokenKind.Integer) node = new SubscriptExpression(node, new LiteralExpression(long.Parse(name.Value, CultureInfo.InvariantCulture), name.Line), token.Line);
                else if (name.Kind == JinjaTokenKind.Name) node = new AttributeExpression(node, name.Value, token.Line);
                else throw Error(name.Line, $"expected an attribute name after '.' but found {name}");
            }
            else if (token.IsOperator("["))
            {
                Advance();
                node = new SubscriptExpression(node, ParseSubscript(token.Line), token.Line);
                Expect(JinjaTokenKind.Operator, "']'", "]");
            }
            else if (token.IsOperator("("))
            {
                Advance();
                node = new CallExpression(node, ParseArguments(), token.Line);
            }
            else return node;
        }
    }

    JinjaExpression ParseSubscript(int line)
    {
        JinjaExpression? start = Current.IsOperator(":") ? null : ParseExpression();
        if (!Current.IsOperator(":")) return start!;
        Advance();
        JinjaExpression? stop = Current.IsOperator(":") || Current.IsOperator("]") ? null : ParseExpression();
        JinjaExpression? step = null;
        if (Current.IsOperator(":"))
        {
            Advance();
            if (!Current.IsOperator("]")) step = ParseExpression();
        }
        return new SliceExpression(start, stop, step, line);
    }

    /// <summary>Arguments after '(' up to and including ')': positional first, then <c>name=value</c>.</summary>
    Arguments ParseArguments()
    {
        var positional = new List<JinjaExpression>();
        var named = new List<(string, JinjaExpression)>();
        while (!Current.IsOperator(")"))
        {
            if (positional.Count + named.Count > 0)
            {
                Expect(JinjaTokenKind.Operator, "','", ",");
                if (Current.IsOperator(")")) break;
            }
            if (Current.Kind == JinjaTokenKind.Name && Peek().IsOperator("="))
            {
                string name = Advance().Value;
                Advance();
                named.Add((name, ParseExpression()));
            }
            else positional.Add(ParseExpression());
        }
        Advance();
        return new Arguments(positional, named);
    }

    JinjaExpression ParseFiltersAndTests(JinjaExpression node)
    {
        while (true)
        {
            if (Current.IsOperator("|"))
            {
                Advance();
                node = ParseFilterCall(node);
            }
            else if (Current.IsName("is"))
            {
                int line = Advance().Line;
                bool negated = Current.IsName("not");
                if (negated) Advance();
                var name = Expect(JinjaTokenKind.Name, "a test name");
                string test = name.Value;
                if (!JinjaTests.Exists(test)) throw Error(name.Line, $"unknown test '{test}'");
                Arguments arguments = Arguments.None;
                if (Current.IsOperator("("))
                {
                    Advance();
                    arguments = ParseArguments();
                }
                else if (StartsTestArgument(Current)) arguments = new Arguments([ParseUnary(withFilters: false)], []);
                node = new TestExpression(node, test, negated, arguments, line);
            }
            else return node;
        }
    }

    /// <summary>Jinja2 lets a test take one argument without parentheses: <c>is divisibleby 3</c>, <c>is sameas false</c>.</summary>
    static bool StartsTestArgument(JinjaToken token) =>
        token.Kind is JinjaTokenKind.String or JinjaTokenKind.Integer or JinjaTokenKind.Float
        || (token.Kind == JinjaTokenKind.Name && token.Value is not ("and" or "or" or "else" or "if" or "not" or "in" or "is"))
        || token.IsOperator("[") || token.IsOperator("{") || token.IsOperator("-");

    FilterExpression ParseFilterCall(JinjaExpression? target)
    {
        var name = Expect(JinjaTokenKind.Name, "a filter name");
        if (!JinjaFilters.Exists(name.Value)) throw Error(name.Line, $"unknown filter '{name.Value}'");
        var arguments = Arguments.None;
        if (Current.IsOperator("("))
        {
            Advance();
            arguments = ParseArguments();
        }
        return new FilterExpression(target, name.Value, arguments, name.Line);
    }
}
