namespace LoraLab.Engine.Tokenization.Jinja;

/// <summary>
/// A rendering failure raised where the line is not known (a filter, a method); the renderer turns it into a
/// <see cref="JinjaTemplateException"/> naming the template and the line of the expression that failed.
/// </summary>
internal sealed class JinjaProblem(string problem, bool raisedByTemplate = false) : Exception(problem)
{
    public bool RaisedByTemplate { get; } = raisedByTemplate;
}
