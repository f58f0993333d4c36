namespace LoraLab.Engine.Tokenization.Jinja;

/// <summary>
/// A template that cannot be parsed or rendered. The message is one sentence naming the template, the line and the
/// construct; <see cref="RaisedByTemplate"/> marks the template's own <c>raise_exception</c>, whose text is kept verbatim.
/// </summary>
public sealed class JinjaTemplateException(string message, bool raisedByTemplate = false) : Exception(message)
{
    public bool RaisedByTemplate { get; } = raisedByTemplate;
}
