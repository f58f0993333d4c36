namespace LoraLab.Engine.Tokenization.Jinja;

/// <summary>The <c>loop</c> variable of a for loop at one iteration.</summary>
internal sealed class JinjaLoop(IReadOnlyList<object?> items)
{
    public int Index0 { get; set; }

    public object? Attribute(string name) => name switch
    {
        "index" => (long)Index0 + 1,
        "index0" => (long)Index0,
        "revindex" => (long)(items.Count - Index0),
        "revindex0" => (long)(items.Count - Index0 - 1),
        "first" => Index0 == 0,
        "last" => Index0 == items.Count - 1,
        "length" => (long)items.Count,
        "depth" => 1L,
        "depth0" => 0L,
        "previtem" => Index0 > 0 ? items[Index0 - 1] : JinjaUndefined.Instance,
        "nextitem" => Index0 + 1 < items.Count ? items[Index0 + 1] : JinjaUndefined.Instance,
        "cycle" => new JinjaFunction(arguments => arguments.Positional.Count == 0
            ? throw new JinjaProblem("loop.cycle needs at least one value")
            : arguments.Positional[Index0 % arguments.Positional.Count]),
        _ => JinjaUndefined.Instance,
    };
}
