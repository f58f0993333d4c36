namespace LoraLab.Engine.Tokenization.Jinja;

/// <summary>
/// A Jinja template parsed once and rendered as transformers' <c>apply_chat_template</c> renders chat templates:
/// Jinja2 with trim_blocks and lstrip_blocks, loop controls, transformers' <c>tojson</c>, and the globals
/// <c>raise_exception</c>, <c>strftime_now</c>, <c>namespace</c> and <c>range</c>.
/// </summary>
public sealed class JinjaTemplate
{
    readonly IReadOnlyList<JinjaStatement> body;
    readonly TimeProvider clock;

    /// <param name="name">How errors name the template, e.g. "chat template of Qwen3-0.6B".</param>
    /// <param name="clock">What <c>strftime_now</c> reads; the system clock unless a test fixes it.</param>
    /// <exception cref="JinjaTemplateException">The template does not parse, or uses an unknown tag, filter or test.</exception>
    public JinjaTemplate(string source, string name, TimeProvider? clock = null)
    {
        Name = name;
        this.clock = clock ?? TimeProvider.System;
        body = JinjaParser.Parse(source, name);
    }

    public string Name { get; }

    /// <summary>
    /// Renders with these variables: strings, numbers, booleans, null (None), lists and string-keyed dictionaries,
    /// as <see cref="JinjaValue.From"/> converts them.
    /// </summary>
    /// <exception cref="JinjaTemplateException">Rendering failed, or the template called raise_exception.</exception>
    public string Render(IReadOnlyDictionary<string, object?> variables)
    {
        var globals = new JinjaScope(null);
        foreach (var (name, function) in JinjaGlobals.Create(clock)) globals.Set(name, function);
        var scope = new JinjaScope(globals);
        foreach (var (name, value) in variables) scope.Set(name, JinjaValue.From(value));
        return new JinjaRenderer(Name).Render(body, scope);
    }
}
