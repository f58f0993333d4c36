namespace LoraLab.Engine.Tokenization;

/// <summary>
/// A conversation format: a model's own jinja template (<see cref="JinjaChatTemplate"/>), or one of the named
/// families, rendered as the family's published chat template renders it, for models that ship none.
/// Formats that begin with the BOS text (llama3, llama2) already hold it, so encode their output with
/// <c>addSpecialTokens: false</c>, as Hugging Face's <c>apply_chat_template</c> does.
/// </summary>
public abstract class ChatTemplate
{
    static readonly ChatTemplate[] Known = [new ChatMlTemplate(), new Llama3ChatTemplate(), new Llama2ChatTemplate(), new AlpacaChatTemplate()];

    public abstract string Name { get; }

    /// <summary>The marker that closes an assistant turn (e.g. &lt;|im_end|&gt;), or null when the format has none.</summary>
    public abstract string? EndOfTurn { get; }

    /// <param name="addGenerationPrompt">End with the opening of an assistant turn, for generation.</param>
    /// <exception cref="ArgumentException">The format rejects the conversation (e.g. roles that do not alternate).</exception>
    public abstract string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt);

    public static IReadOnlyList<string> Names { get; } = Known.Select(t => t.Name).ToArray();

    public static ChatTemplate FromName(string name) =>
        Known.FirstOrDefault(t => t.Name.Equals(name.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown chat template '{name}'; known: {string.Join(", ", Names)}");

    /// <summary>
    /// The model's own jinja template (tokenizer_config.json "chat_template", or chat_template.jinja), rendered as
    /// transformers renders it, with the special tokens of tokenizer_config.json; null when the model ships none,
    /// and callers then fall back to a named family.
    /// </summary>
    /// <exception cref="Jinja.JinjaTemplateException">The model's template does not parse.</exception>
    public static ChatTemplate? Detect(string modelDirectory) => JinjaChatTemplate.FromModel(modelDirectory);

    /// <summary>
    /// The named family this template renders exactly as (a model's jinja ChatML template is "chatml"), judged by
    /// rendering the same probe conversations through both; null when no family renders them identically.
    /// </summary>
    public ChatTemplate? SameFamily()
    {
        if (Known.Contains(this)) return this;
        return Known.FirstOrDefault(family => FamilyProbes.All(probe => RendersAlike(this, family, probe)));
    }

    static readonly IReadOnlyList<ChatMessage>[] FamilyProbes =
    [
        [new("user", "Hi")],
        [new("system", "Be brief."), new("user", "Hi"), new("assistant", "Hello."), new("user", "Bye")],
    ];

    static bool RendersAlike(ChatTemplate model, ChatTemplate family, IReadOnlyList<ChatMessage> probe)
    {
        try
        {
            return model.Render(probe, addGenerationPrompt: true) == family.Render(probe, addGenerationPrompt: true);
        }
        catch (Exception failure) when (failure is ArgumentException or Jinja.JinjaTemplateException)
        {
            return false;
        }
    }

    public override string ToString() => Name;
}
