using System.Text.Json;

namespace LoraLab.Engine.Tests.Tokenization;

/// <summary>
/// Each real tokenizer tokenizes and decodes every reference text exactly as Hugging Face's tokenizers library
/// does (and, for the Llama 3 and Qwen cases from llama.cpp, as llama.cpp's transformers-made references do).
/// </summary>
public class HuggingFaceReferenceTests
{
    public static TheoryData<string, int> Cases => ReferenceTokenizers.AllCases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_text_encodes_to_hugging_faces_ids_without_special_tokens(string family, int number)
    {
        var reference = ReferenceTokenizers.Cases(family)[number];

        var ids = ReferenceTokenizers.Tokenizer(family).Encode(reference.Text, addSpecialTokens: false);

        Assert.True(reference.Ids.SequenceEqual(ids), Mismatch(reference.Text, reference.Ids, ids));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_text_encodes_to_hugging_faces_ids_with_special_tokens(string family, int number)
    {
        var reference = ReferenceTokenizers.Cases(family)[number];

        var ids = ReferenceTokenizers.Tokenizer(family).Encode(reference.Text, addSpecialTokens: true);

        Assert.True(reference.IdsWithSpecialTokens.SequenceEqual(ids), Mismatch(reference.Text, reference.IdsWithSpecialTokens, ids));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decoding_the_ids_gives_hugging_faces_text_with_and_without_special_tokens(string family, int number)
    {
        var reference = ReferenceTokenizers.Cases(family)[number];
        var tokenizer = ReferenceTokenizers.Tokenizer(family);

        Assert.Equal(reference.Decoded, tokenizer.Decode(reference.IdsWithSpecialTokens, skipSpecialTokens: false));
        Assert.Equal(reference.DecodedSkippingSpecial, tokenizer.Decode(reference.IdsWithSpecialTokens, skipSpecialTokens: true));
    }

    static string Mismatch(string text, int[] expected, IReadOnlyList<int> got) =>
        $"{JsonSerializer.Serialize(text)}: expected [{string.Join(",", expected)}] got [{string.Join(",", got)}]";
}
