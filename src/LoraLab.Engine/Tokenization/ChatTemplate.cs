using LoraLab.Engine.Files;

namespace LoraLab.Engine.Tokenization;

/// <summary>
/// A conversation format of a model family, rendered as the family's published chat template renders it.
/// Formats that begin with the BOS text (llama3, llama2) already hold it, so encode their output with
/// <c>addSpecialTokens: false</c>, as Hugging Face's <c>apply_chat_template</c> does.
/// </summary>
public abstract class ChatTemplate
{
    static readonly ChatTemplate[] Known = [new ChatMlTemplate(), new Llama3ChatTemplate(), new Llama2ChatTemplate(), new AlpacaChatTemplate()];

    public abstract string Name { get; }

    /// <summary>The marker that closes an assistant turn (e.g. &lt;|im_end|&gt;), or null when the format has none.</summary>
    public abstract string? EndOfTurn { get; }

    /// <summary>Text that only this family's jinja chat template contains.</summary>
    private protected abstract string JinjaMarker { get; }

    /// <param name="addGenerationPrompt">End with the opening of an assistant turn, for generation.</param>
    public abstract string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt);

    public static IReadOnlyList<string> Names { get; } = Known.Select(t => t.Name).ToArray();

    public static ChatTemplate FromName(string name) =>
        Known.FirstOrDefault(t => t.Name.Equals(name.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown chat template '{name}'; known: {string.Join(", ", Names)}", nameof(name));

    /// <summary>
    /// Recognises the model's own jinja template (tokenizer_config.json "chat_template", or chat_template.jinja)
    /// by the markers of the common families; null when there is none or it is of another family.
    /// </summary>
    public static ChatTemplate? Detect(string modelDirectory)
    {
        string? jinja = TokenizerConfig.Read(modelDirectory).ChatTemplate;
        string jinjaFile = Path.Combine(modelDirectory, "chat_template.jinja");
        if (jinja is null && File.Exists(jinjaFile))
            jinja = UntrustedFile.ReadAllText(jinjaFile, UntrustedFile.MaxConfigBytes, problem => new InvalidDataException($"{jinjaFile}: {problem}"));
        if (jinja is null) return null;
        return Known.FirstOrDefault(t => jinja.Contains(t.JinjaMarker, StringComparison.Ordinal));
    }

    public override string ToString() => Name;
}
