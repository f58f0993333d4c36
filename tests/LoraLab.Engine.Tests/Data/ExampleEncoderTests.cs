using LoraLab.Engine.Data;
using LoraLab.Engine.Tests.Tokenization;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Tests.Data;

public class ExampleEncoderTests
{
    static readonly ITextTokenizer Tokenizer = TestTokenizers.ChatMl;
    const string Eos = TestTokenizers.EndOfText;

    static readonly ChatMessage[] TwoTurns =
    [
        new("system", "You are terse."), new("user", "Hi"), new("assistant", "Hello!"),
        new("user", "How are you?"), new("assistant", "Fine, thanks."),
    ];

    static EncodedExample Encode(DatasetRecord record, string template, int maxLength = 512, ITextTokenizer? tokenizer = null)
    {
        var example = new ExampleEncoder(tokenizer ?? Tokenizer, ChatTemplate.FromName(template), new EncodingOptions(maxLength)).Encode(record, out var issue);
        Assert.Null(issue);
        return example!;
    }

    static string Decode(IEnumerable<int> ids, ITextTokenizer? tokenizer = null) => (tokenizer ?? Tokenizer).Decode(ids, skipSpecialTokens: false);

    /// <summary>Each run of learned tokens, decoded.</summary>
    static List<string> LearnedSpans(EncodedExample example, ITextTokenizer? tokenizer = null)
    {
        var spans = new List<string>();
        for (int i = 0; i < example.Length; i++)
        {
            if (!example.IsCompletion[i] || (i > 0 && example.IsCompletion[i - 1])) continue;
            int end = i;
            while (end < example.Length && example.IsCompletion[end]) end++;
            spans.Add(Decode(example.Ids[i..end], tokenizer));
        }
        return spans;
    }

    [Fact]
    public void An_alpaca_record_renders_through_the_alpaca_template_and_learns_its_answer_and_eos()
    {
        var record = DatasetRecord.Conversation(1, [new("user", "Add two and three.\n\nquickly"), new("assistant", "Five.")]);

        var example = Encode(record, "alpaca");

        Assert.Equal(
            "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n"
            + "### Instruction:\nAdd two and three.\n\nquickly\n\n### Response:\nFive." + Eos,
            Decode(example.Ids));
        Assert.Equal(["Five." + Eos], LearnedSpans(example));
    }

    [Fact]
    public void A_chat_renders_through_chatml_and_learns_exactly_each_assistant_turn_and_its_end_marker()
    {
        var example = Encode(DatasetRecord.Conversation(1, TwoTurns), "chatml");

        Assert.Equal(
            "<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n"
            + "<|im_start|>user\nHow are you?<|im_end|>\n<|im_start|>assistant\nFine, thanks.<|im_end|>\n",
            Decode(example.Ids));
        Assert.Equal(["Hello!<|im_end|>", "Fine, thanks.<|im_end|>"], LearnedSpans(example));
    }

    [Fact]
    public void The_prompt_before_an_answer_is_tokenized_as_generation_tokenizes_it()
    {
        var template = ChatTemplate.FromName("chatml");
        var example = Encode(DatasetRecord.Conversation(1, TwoTurns), "chatml");

        var generationPrompt = Tokenizer.Encode(template.Render(TwoTurns[..2], addGenerationPrompt: true), addSpecialTokens: false);

        Assert.Equal(generationPrompt, example.Ids[..generationPrompt.Count]);
        Assert.True(example.IsCompletion[generationPrompt.Count]);
        Assert.DoesNotContain(true, example.IsCompletion[..generationPrompt.Count]);
    }

    [Fact]
    public void A_turn_end_marker_the_tokenizer_does_not_know_as_special_is_followed_by_a_learned_eos()
    {
        var record = DatasetRecord.Conversation(1, [new("user", "Hi"), new("assistant", " Hello! ")]);

        var example = Encode(record, "llama3");

        Assert.Equal(["Hello!<|eot_id|>" + Eos], LearnedSpans(example));
        Assert.Equal(ChatTemplate.FromName("llama3").Render(record.Messages!, addGenerationPrompt: false) + Eos, Decode(example.Ids));
    }

    [Fact]
    public void A_token_merged_across_the_start_of_an_answer_is_learned_so_no_answer_text_escapes_the_loss()
    {
        // GPT-2 encodes the prompt's trailing "\n\n" as one token, but as two when "Hello" follows.
        using var folder = new TempModelDirectory();
        File.Copy(Path.Combine(TokenizerFixtures.Gpt2Directory, "tokenizer.json"), Path.Combine(folder.Path, "tokenizer.json"));
        folder.Write("tokenizer_config.json", """{"eos_token": "<|endoftext|>"}""");
        var gpt2 = TokenizerLoader.Load(folder.Path);
        var record = DatasetRecord.Conversation(1, [new("user", "Hi"), new("assistant", "Hello")]);

        var example = Encode(record, "llama3", tokenizer: gpt2);

        Assert.Equal(["\n\nHello<|eot_id|><|endoftext|>"], LearnedSpans(example, gpt2));
    }

    [Fact]
    public void Raw_text_keeps_the_tokenizers_own_special_tokens_and_ends_with_a_learned_eos()
    {
        var example = Encode(DatasetRecord.RawText(1, "the cat sat"), "chatml");

        Assert.Equal([.. Tokenizer.Encode("the cat sat"), Tokenizer.EosIds[0]], example.Ids);
        Assert.All(example.IsCompletion, Assert.True);
    }

    [Fact]
    public void Truncation_keeps_the_start_and_is_counted()
    {
        var full = Encode(DatasetRecord.Conversation(1, TwoTurns[1..3]), "chatml");
        int promptLength = Array.IndexOf(full.IsCompletion, true);
        var encoder = new ExampleEncoder(Tokenizer, ChatTemplate.FromName("chatml"), new EncodingOptions(promptLength + 2));

        var encoded = encoder.EncodeAll([DatasetRecord.Conversation(1, TwoTurns[1..3]), DatasetRecord.RawText(2, "cat")]);

        Assert.Equal(1, encoded.Truncated);
        Assert.Empty(encoded.Issues);
        var truncated = encoded.Examples[0];
        Assert.True(truncated.Truncated);
        Assert.Equal(full.Ids[..(promptLength + 2)], truncated.Ids);
        Assert.Equal(2, truncated.CompletionTokens);
    }

    [Fact]
    public void Without_truncation_an_over_long_record_is_an_issue()
    {
        var record = DatasetRecord.Conversation(7, TwoTurns);
        int length = Encode(record, "chatml").Length;
        var encoder = new ExampleEncoder(Tokenizer, ChatTemplate.FromName("chatml"), new EncodingOptions(length - 1, Truncate: false));

        var encoded = encoder.EncodeAll([record]);

        Assert.Empty(encoded.Examples);
        Assert.Equal([new DatasetIssue(7, IssueKind.TooLong, $"{length} tokens, more than the maximum length {length - 1} (truncation is off)")], encoded.Issues);
    }

    [Fact]
    public void Truncation_that_would_cut_every_completion_token_leaves_the_record_out()
    {
        var record = DatasetRecord.Conversation(3, TwoTurns[1..3]);
        var full = Encode(record, "chatml");
        int promptLength = Array.IndexOf(full.IsCompletion, true);
        var encoder = new ExampleEncoder(Tokenizer, ChatTemplate.FromName("chatml"), new EncodingOptions(promptLength));

        encoder.Encode(record, out var issue);

        Assert.Equal(new DatasetIssue(3, IssueKind.TooLong,
            $"{full.Length} tokens and the completion starts at token {promptLength + 1}: truncating to the maximum length {promptLength} would leave nothing to learn"), issue);
    }

    [Fact]
    public void A_conversation_the_template_cannot_render_is_an_issue()
    {
        var record = DatasetRecord.Conversation(4, [new("user", "a"), new("user", "b"), new("assistant", "c")]);
        var encoder = new ExampleEncoder(Tokenizer, ChatTemplate.FromName("llama2"), new EncodingOptions(64));

        encoder.Encode(record, out var issue);

        Assert.Equal(new DatasetIssue(4, IssueKind.TemplateRejected,
            "llama2 chat template: after an optional system message the roles must alternate user/assistant, but turn 1 is 'user'"), issue);
    }

    [Fact]
    public void A_plain_text_turn_end_without_an_eos_token_is_refused_since_the_model_could_not_learn_to_stop()
    {
        var encoder = new ExampleEncoder(TestTokenizers.WithoutEos(), ChatTemplate.FromName("alpaca"), new EncodingOptions(256));

        var error = Assert.Throws<InvalidOperationException>(() => encoder.Encode(DatasetRecord.Conversation(1, [new("user", "q"), new("assistant", "a")]), out _));

        Assert.Contains("could not learn to stop", error.Message);
    }

    [Fact]
    public void Labels_mask_the_prompt_by_default_and_cover_everything_on_request()
    {
        var example = new EncodedExample(1, [5, 6, 7, 8], [false, false, true, true], Truncated: false);

        Assert.Equal([-100, -100, 7, 8], TrainingExample.From(example, lossOnAllTokens: false).Labels);
        Assert.Equal([5, 6, 7, 8], TrainingExample.From(example, lossOnAllTokens: true).Labels);
    }
}
