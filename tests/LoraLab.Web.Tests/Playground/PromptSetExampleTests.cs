using LoraLab.Engine.Data;
using LoraLab.Engine.Tokenization;
using LoraLab.Web.Playground;

namespace LoraLab.Web.Tests.Playground;

public class PromptSetExampleTests
{
    [Fact]
    public void A_conversation_becomes_its_turns_before_the_last_answer_with_that_answer_as_reference()
    {
        var record = DatasetRecord.Conversation(3, [new("system", "be brief"), new("user", "hi"), new("assistant", "hello"), new("user", "2+2?"), new("assistant", "4")]);

        var example = PromptSetExample.FromRecord(record)!;

        Assert.Equal(["system", "user", "assistant", "user"], example.Messages.Select(m => m.Role));
        Assert.Equal(("2+2?", "4"), (example.Prompt, example.Reference));
    }

    [Fact]
    public void Raw_text_and_conversations_without_a_user_turn_before_the_answer_give_no_prompt()
    {
        Assert.Null(PromptSetExample.FromRecord(DatasetRecord.RawText(1, "just text")));
        Assert.Null(PromptSetExample.FromRecord(DatasetRecord.Conversation(2, [new("system", "s"), new("assistant", "a")])));
        Assert.Equal((string?)null, PromptSetExample.FromRecord(DatasetRecord.Conversation(3, [new ChatMessage("user", "open question")]))!.Reference);
    }

    [Fact]
    public void Typed_lines_give_one_prompt_each_and_an_arrow_separates_the_reference()
    {
        var items = PromptSetExample.ParseLines("2+2? => 4\n\n  name an animal  \na => b => c\n");

        Assert.Equal([new PromptSetItem("2+2?", "4"), new PromptSetItem("name an animal"), new PromptSetItem("a", "b => c")], items);
    }

    [Fact]
    public void An_answer_matches_its_reference_apart_from_surrounding_white_space_only()
    {
        var example = PromptSetExample.FromItem(new PromptSetItem("who?", " tom "));

        Assert.True(example.Matches("tom\n"));
        Assert.False(example.Matches("Tom"));
        Assert.False(PromptSetExample.FromItem(new PromptSetItem("who?")).Matches(""));
    }
}
