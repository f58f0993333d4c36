using LoraLab.Engine.Files;
using LoraLab.Engine.Tokenization.Jinja;

namespace LoraLab.Engine.Tokenization;

/// <summary>
/// A model's own jinja chat template, rendered as transformers' <c>apply_chat_template</c> renders it: the variables
/// are <c>messages</c> (dicts of role and content), <c>add_generation_prompt</c>, <c>tools</c> and <c>documents</c>
/// (None), and the special tokens of tokenizer_config.json (<c>bos_token</c>, <c>eos_token</c>, <c>pad_token</c>, <c>unk_token</c>).
/// </summary>
public sealed class JinjaChatTemplate : ChatTemplate
{
    const string JinjaFileName = "chat_template.jinja";
    const string EndOfTurnProbe = "\u2063loralab end-of-turn probe\u2063";

    readonly string source;
    readonly TimeProvider? clock;
    readonly JinjaTemplate template;
    readonly IReadOnlyDictionary<string, object?> specialTokens;
    readonly Lazy<string?> endOfTurn;

    /// <param name="modelName">Names the template in errors: "chat template of {modelName}".</param>
    /// <param name="specialTokens">Variables such as bos_token and eos_token; a missing token is undefined, as in transformers.</param>
    /// <exception cref="JinjaTemplateException">The template does not parse.</exception>
    public JinjaChatTemplate(string source, string modelName, IReadOnlyDictionary<string, string> specialTokens, TimeProvider? clock = null)
    {
        Name = modelName;
        this.source = source;
        this.clock = clock;
        template = new JinjaTemplate(source, $"chat template of {modelName}", clock);
        this.specialTokens = specialTokens.ToDictionary(p => p.Key, p => (object?)p.Value);
        endOfTurn = new(FindEndOfTurn);
    }

    public override string Name { get; }

    /// <summary>
    /// What the template writes right after an assistant answer, up to the first whitespace (&lt;|im_end|&gt;,
    /// &lt;|eot_id|&gt;, &lt;/s&gt;); found by rendering a one-answer conversation. When that rendering fails or
    /// shows nothing after the answer, the EOS token, if the tokenizer config names one.
    /// </summary>
    public override string? EndOfTurn => endOfTurn.Value;

    /// <summary>The template of a model folder, or null when it ships none.</summary>
    public static JinjaChatTemplate? FromModel(string modelDirectory, TimeProvider? clock = null)
    {
        var config = TokenizerConfig.Read(modelDirectory);
        string? source = config.ChatTemplate;
        string jinjaFile = Path.Combine(modelDirectory, JinjaFileName);
        if (source is null && File.Exists(jinjaFile))
            source = UntrustedFile.ReadAllText(jinjaFile, UntrustedFile.MaxConfigBytes, problem => new InvalidDataException($"{jinjaFile}: {problem}"));
        if (source is null) return null;
        string modelName = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(modelDirectory)));
        var tokens = new Dictionary<string, string>();
        if (config.BosToken is { } bos) tokens["bos_token"] = bos;
        if (config.EosToken is { } eos) tokens["eos_token"] = eos;
        if (config.PadToken is { } pad) tokens["pad_token"] = pad;
        if (config.UnkToken is { } unk) tokens["unk_token"] = unk;
        return new JinjaChatTemplate(source, modelName, tokens, clock);
    }

    /// <summary>The same template with some special tokens set or replaced (the CLI's --bos-token, --eos-token).</summary>
    public JinjaChatTemplate WithSpecialTokens(IReadOnlyDictionary<string, string> replacements)
    {
        var tokens = specialTokens.ToDictionary(p => p.Key, p => (string)p.Value!);
        foreach (var (name, value) in replacements) tokens[name] = value;
        return new JinjaChatTemplate(source, Name, tokens, clock);
    }

    public override string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        try
        {
            return RenderTemplate(messages, addGenerationPrompt);
        }
        catch (JinjaTemplateException raised) when (raised.RaisedByTemplate)
        {
            throw new ConversationRejectedException(raised.Message, raised);
        }
    }

    string RenderTemplate(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        var variables = new Dictionary<string, object?>(specialTokens)
        {
            ["messages"] = messages.Select(m => new Dictionary<string, object?> { ["role"] = m.Role, ["content"] = m.Content }).ToList(),
            ["add_generation_prompt"] = addGenerationPrompt,
            ["tools"] = null,
            ["documents"] = null,
        };
        return template.Render(variables);
    }

    string? FindEndOfTurn()
    {
        string? eos = specialTokens.GetValueOrDefault("eos_token") as string;
        string text;
        try
        {
            text = RenderTemplate([new ChatMessage("user", "Hi"), new ChatMessage("assistant", EndOfTurnProbe)], addGenerationPrompt: false);
        }
        catch (JinjaTemplateException)
        {
            return eos;
        }
        int answer = text.LastIndexOf(EndOfTurnProbe, StringComparison.Ordinal);
        if (answer < 0) return eos;
        string after = text[(answer + EndOfTurnProbe.Length)..].TrimStart();
        int space = after.IndexOfAny([' ', '\n', '\t', '\r']);
        string marker = space < 0 ? after : after[..space];
        return marker.Length > 0 ? marker : eos;
    }
}
