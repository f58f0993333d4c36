using System.Text.Json;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Tests.Tokenization.Jinja;

/// <summary>
/// The chat_cases.json of ../shared/fixtures/tokenizers/{qwen3,deepseek-v3}: texts transformers' apply_chat_template
/// produced from the real templates in the tokenizer_config.json beside them.
/// </summary>
public class SharedFixtureChatTemplateTests
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string model in (string[])["qwen3", "deepseek-v3"])
            for (int i = 0; i < ReadCases(model).Count; i++) data.Add(model, i);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_model_template_renders_the_text_transformers_rendered(string model, int index)
    {
        var expected = ReadCases(model)[index];
        var template = ChatTemplate.Detect(FixtureDirectory(model));

        Assert.IsType<JinjaChatTemplate>(template);
        Assert.Equal(expected.GetProperty("text").GetString(), template.Render(Messages(expected), expected.GetProperty("add_generation_prompt").GetBoolean()));
    }

    [Fact]
    public void Qwen3_ends_an_assistant_turn_with_im_end()
    {
        Assert.Equal("<|im_end|>", ChatTemplate.Detect(FixtureDirectory("qwen3"))!.EndOfTurn);
    }

    [Fact]
    public void Deepseek_v3_ends_an_assistant_turn_with_its_end_of_sentence_token()
    {
        Assert.Equal("<\uff5cend\u2581of\u2581sentence\uff5c>", ChatTemplate.Detect(FixtureDirectory("deepseek-v3"))!.EndOfTurn);
    }

    [Fact]
    public void Qwen3_renders_plain_conversations_as_chatml_and_deepseek_v3_as_no_named_family()
    {
        Assert.Equal("chatml", ChatTemplate.Detect(FixtureDirectory("qwen3"))!.SameFamily()?.Name);
        Assert.Null(ChatTemplate.Detect(FixtureDirectory("deepseek-v3"))!.SameFamily());
    }

    internal static string FixtureDirectory(string model) => Path.Combine(Path.GetDirectoryName(TokenizerFixtures.Gpt2Directory)!, model);

    static List<JsonElement> ReadCases(string model)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(FixtureDirectory(model), "chat_cases.json")));
        return document.RootElement.EnumerateArray().Select(c => c.Clone()).ToList();
    }

    static List<ChatMessage> Messages(JsonElement chatCase) => chatCase.GetProperty("messages").EnumerateArray()
        .Select(m => new ChatMessage(m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!)).ToList();
}
