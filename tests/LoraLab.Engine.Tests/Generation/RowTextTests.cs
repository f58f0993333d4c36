using LoraLab.Engine.Generation;

namespace LoraLab.Engine.Tests.Generation;

public class RowTextTests
{
    static Func<IReadOnlyList<int>, string> Pieces(params string[] pieces) => ids => string.Concat(ids.Select(i => pieces[i]));

    [Fact]
    public void A_stop_string_inside_a_token_is_found_and_cut_with_what_follows()
    {
        var text = new RowText(Pieces("Hel", "lo\n\nUs", "er"), ["\n\n"]);

        Assert.False(text.Append(0));
        Assert.True(text.Append(1));
        Assert.Equal("Hello", text.Text);
        Assert.Equal("Hello", text.TakeNew(final: true));
    }

    [Fact]
    public void A_stop_string_spanning_tokens_is_found_when_its_last_part_arrives()
    {
        var text = new RowText(Pieces("ab<", "/s", ">cd"), ["</s>"]);

        Assert.False(text.Append(0));
        Assert.False(text.Append(1));
        Assert.True(text.Append(2));
        Assert.Equal("ab", text.Text);
    }

    [Fact]
    public void Streaming_holds_back_a_possible_stop_string_start_until_it_is_settled()
    {
        var text = new RowText(Pieces("a<", "/", "x"), ["</s>"]);

        text.Append(0);
        string first = text.TakeNew(final: false);
        text.Append(1);
        string second = text.TakeNew(final: false);
        text.Append(2);
        string third = text.TakeNew(final: false);

        Assert.Equal(("a", "", "</x"), (first, second, third));
    }

    [Fact]
    public void Streaming_holds_back_incomplete_characters()
    {
        // A byte-level tokenizer decodes half of a UTF-8 character as U+FFFD until the other half arrives.
        Func<IReadOnlyList<int>, string> decode = ids => ids.Count == 1 ? "x\uFFFD" : "xé!";
        var text = new RowText(decode, []);

        text.Append(0);
        string first = text.TakeNew(final: false);
        text.Append(1);
        string second = text.TakeNew(final: false);

        Assert.Equal(("x", "é!"), (first, second));
    }
}
