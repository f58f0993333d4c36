using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Tests.Tokenization;

/// <summary>What the tokenizer loader refuses before it sizes anything by a file's numbers.</summary>
public sealed class TokenizerLimitsTests : IDisposable
{
    readonly TempModelDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    static string ByteLevel(string vocab, string postProcessor = "null") => $$"""
        {"model": {"type": "BPE", "vocab": {{{vocab}}}, "merges": []},
         "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false}, "post_processor": {{postProcessor}}}
        """;

    [Theory]
    [InlineData(-1)]
    [InlineData(TokenizerSpec.MaxIds)]
    [InlineData(int.MaxValue)]
    public void A_token_id_outside_the_id_limit_is_refused_before_the_id_table_is_allocated(int id)
    {
        string path = _folder.Write("tokenizer.json", ByteLevel($"\"a\": 0, \"b\": {id}"));
        // A first load on this thread pays one-off costs (JIT, static tables) that are not this file's; alone or first in
        // a run it passed 16 MB.
        Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(_folder.Path));
        long before = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(_folder.Path));

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20);
        Assert.Equal($"{path}: token \"b\" has id {id}; ids must be within [0, {TokenizerSpec.MaxIds})", error.Message);
    }

    [Fact]
    public void A_post_processor_id_that_names_no_token_is_refused()
    {
        string path = _folder.Write("tokenizer.json", ByteLevel("\"a\": 0, \"b\": 1", """
            {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>"}}, {"Sequence": {"id": "A"}}],
             "special_tokens": {"<s>": {"id": "<s>", "ids": [7]}}}
            """));

        var error = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(_folder.Path));

        Assert.Equal($"{path}: the post-processor's prefix id 7 names no token; the tokenizer has ids 0 to 1", error.Message);
    }

    [Fact]
    public void A_merge_pair_that_is_not_two_strings_is_refused_naming_it()
    {
        string path = _folder.Write("tokenizer.json", """{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": [["a", null]]}}""");

        var error = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(_folder.Path));

        Assert.Equal($"{path}: merge [\"a\", null] is not a pair [\"left\", \"right\"]", error.Message);
    }

    [Fact]
    public void A_tokenizer_json_over_the_size_limit_is_refused_unread()
    {
        string path = Path.Combine(_folder.Path, "tokenizer.json");
        using (var file = File.Create(path)) file.SetLength(JsonFile.MaxTokenizerBytes + 1);
        long before = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(_folder.Path));

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Equal($"{path}: the file has {JsonFile.MaxTokenizerBytes + 1:N0} bytes, more than the {JsonFile.MaxTokenizerBytes:N0} bytes allowed for it", error.Message);
    }

    [Fact]
    public void A_sentencepiece_field_claiming_more_bytes_than_the_file_has_is_refused()
    {
        // Field 1, length-delimited, with a claimed length of 2^63: the reader must not wrap around or slice past the end.
        byte[] model = [0x0A, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x41];
        string path = Path.Combine(_folder.Path, "tokenizer.model");
        File.WriteAllBytes(path, model);

        var error = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(_folder.Path));

        Assert.Equal($"{path}: not a SentencePiece model (a length-delimited field of 9223372036854775808 bytes runs past the end)", error.Message);
    }

    [Fact]
    public void Json_nested_deeper_than_the_limit_is_refused_as_invalid_json()
    {
        string path = _folder.Write("tokenizer.json", $$"""{"model": {{new string('[', 100)}}{{new string(']', 100)}}}""");

        var error = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(_folder.Path));

        Assert.StartsWith($"{path}: not valid JSON", error.Message);
        Assert.Contains("depth", error.Message);
    }
}
