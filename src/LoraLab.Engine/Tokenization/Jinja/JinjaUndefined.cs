namespace LoraLab.Engine.Tokenization.Jinja;

/// <summary>
/// A missing variable, attribute or item: falsy, printed as nothing, iterated as empty. Unlike Jinja2's default its
/// own attributes are undefined too rather than an error, so <c>a.b.c is defined</c> answers instead of failing.
/// </summary>
internal sealed class JinjaUndefined
{
    public static readonly JinjaUndefined Instance = new();

    JinjaUndefined() { }

    public override string ToString() => "";
}
