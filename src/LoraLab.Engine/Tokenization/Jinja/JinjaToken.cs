namespace LoraLab.Engine.Tokenization.Jinja;

internal enum JinjaTokenKind
{
    Text,
    VariableStart,
    VariableEnd,
    BlockStart,
    BlockEnd,
    Name,
    String,
    Integer,
    Float,
    Operator,
    EndOfTemplate,
}

/// <summary>One lexeme with the 1-based line it starts on; Value holds the text, the unescaped string or the operator.</summary>
internal sealed record JinjaToken(JinjaTokenKind Kind, string Value, int Line)
{
    public bool Is(JinjaTokenKind kind, string value) => Kind == kind && Value == value;
    public bool IsName(string name) => Is(JinjaTokenKind.Name, name);
    public bool IsOperator(string op) => Is(JinjaTokenKind.Operator, op);

    public override string ToString() => Kind switch
    {
        JinjaTokenKind.EndOfTemplate => "the end of the template",
        JinjaTokenKind.BlockEnd => "'%}'",
        JinjaTokenKind.VariableEnd => "'}}'",
        JinjaTokenKind.String => $"string '{Value}'",
        _ => $"'{Value}'",
    };
}
