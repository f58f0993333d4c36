using System.CommandLine;
using System.Text.Json;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Cli.Commands;

/// <summary>
/// <c>loralab chat-template render --template FILE | --model DIR --messages FILE.json [--add-generation-prompt]
/// [--bos-token S] [--eos-token S] [--json]</c>: the text transformers' apply_chat_template(tokenize=False) gives.
/// </summary>
static class ChatTemplateCommand
{
    public static Command Create()
    {
        var template = new Option<string?>("--template") { Description = "A jinja chat template file." };
        var model = new Option<string?>("--model") { Description = "A model folder whose own chat template to render (tokenizer_config.json or chat_template.jinja)." };
        var messages = new Option<string>("--messages") { Description = "A JSON file: a list of {\"role\", \"content\"} messages.", Required = true };
        var generationPrompt = new Option<bool>("--add-generation-prompt") { Description = "End with the opening of an assistant turn." };
        var bos = new Option<string?>("--bos-token") { Description = "The bos_token the template sees (default: the model's)." };
        var eos = new Option<string?>("--eos-token") { Description = "The eos_token the template sees (default: the model's)." };
        var json = CommonOptions.Json();
        var render = new Command("render", "Print a conversation rendered through a jinja chat template.") { template, model, messages, generationPrompt, bos, eos, json };
        render.SetAction(parse =>
        {
            var tokens = new Dictionary<string, string>();
            if (parse.GetValue(bos) is { } bosToken) tokens["bos_token"] = bosToken;
            if (parse.GetValue(eos) is { } eosToken) tokens["eos_token"] = eosToken;
            var chat = Load(parse.GetValue(template), parse.GetValue(model)).WithSpecialTokens(tokens);
            string text = chat.Render(ReadMessages(parse.GetValue(messages)!), parse.GetValue(generationPrompt));
            if (parse.GetValue(json)) JsonOutput.Print(new { text });
            else Console.Write(text);
        });
        return new Command("chat-template", "Work with jinja chat templates.") { render };
    }

    static JinjaChatTemplate Load(string? templateFile, string? modelDirectory) => (templateFile, modelDirectory) switch
    {
        ({ } file, null) => File.Exists(file)
            ? new JinjaChatTemplate(File.ReadAllText(file), Path.GetFileName(file), new Dictionary<string, string>())
            : throw new FileNotFoundException($"Template file '{file}' does not exist."),
        (null, { } directory) => Directory.Exists(directory)
            ? JinjaChatTemplate.FromModel(directory) ?? throw new InvalidDataException($"The model in '{directory}' ships no chat template.")
            : throw new DirectoryNotFoundException($"Model folder '{directory}' does not exist."),
        _ => throw new ArgumentException("Give exactly one of --template FILE or --model DIR."),
    };

    static List<ChatMessage> ReadMessages(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Messages file '{path}' does not exist.");
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            return document.RootElement.EnumerateArray().Select((m, i) => new ChatMessage(
                m.GetProperty("role").GetString() ?? throw new InvalidDataException($"{path}: message {i + 1} has no role"),
                m.TryGetProperty("content", out var content) ? content.GetString() ?? "" : "")).ToList();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            throw new InvalidDataException($"{path} is not a JSON list of {{\"role\", \"content\"}} messages: {e.Message}");
        }
    }
}
