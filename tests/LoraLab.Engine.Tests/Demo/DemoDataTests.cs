using LoraLab.Engine.Demo;

namespace LoraLab.Engine.Tests.Demo;

public class DemoDataTests
{
    [Fact]
    public void The_corpus_is_the_same_for_the_same_seed_and_differs_for_another()
    {
        var a = SyntheticCorpus.Documents(5).Take(50).ToList();
        Assert.Equal(a, SyntheticCorpus.Documents(5).Take(50));
        Assert.NotEqual(a, SyntheticCorpus.Documents(6).Take(50));
        Assert.All(a, d => Assert.EndsWith(SyntheticCorpus.EndOfText, d));
    }

    [Fact]
    public void The_corpus_mixes_stories_facts_and_well_formed_dialogues()
    {
        var docs = SyntheticCorpus.Documents(1).Take(400).ToList();
        var dialogues = docs.Where(d => d.StartsWith(SyntheticCorpus.ImStart)).ToList();
        Assert.InRange(dialogues.Count, 20, 80);
        Assert.All(dialogues, d => Assert.Matches(@"^<\|im_start\|>user\n[^<]+<\|im_end\|>\n<\|im_start\|>assistant\n[^<]+<\|im_end\|>\n<\|endoftext\|>$", d));
        Assert.Contains(docs, d => d.Contains(" plus "));
        Assert.Contains(docs, d => d.Contains("one day the "));
    }

    [Fact]
    public void Reverse_words_outputs_the_input_words_in_reverse_order()
    {
        foreach (var e in DemoTasks.Generate("reverse-words", 50, seed: 3))
            Assert.Equal(e.Input.Split(' ').Reverse(), e.Output.Split(' '));
    }

    [Theory]
    [InlineData("the red fox is at the park.", "arr, th' red fox be at th' park, matey!")]
    [InlineData("my cup is blue and small.", "arr, me cup be blue an' small, matey!")]
    [InlineData("mia is calm at the lake.", "arr, mia be calm at th' lake, matey!")]
    public void The_pirate_rewrite_follows_its_rule(string input, string expected) => Assert.Equal(expected, DemoTasks.Pirate(input));

    [Fact]
    public void Pirate_style_examples_are_the_rewrite_of_their_input() =>
        Assert.All(DemoTasks.Generate("pirate-style", 100, seed: 4), e => Assert.Equal(DemoTasks.Pirate(e.Input), e.Output));

    [Theory]
    [InlineData("reverse-words")]
    [InlineData("pirate-style")]
    [InlineData("extract-number")]
    public void Every_task_has_enough_distinct_inputs_for_a_held_out_set(string task)
    {
        Assert.True(DemoTasks.Generate(task, 3000, seed: 9).Select(e => e.Input).Distinct().Count() > 1000);
    }

    [Fact]
    public void Extract_number_answers_the_only_number_in_the_sentence()
    {
        foreach (var e in DemoTasks.Generate("extract-number", 50, seed: 5))
        {
            var numbers = System.Text.RegularExpressions.Regex.Matches(e.Input, @"\d+").Select(m => m.Value).ToList();
            Assert.Equal([e.Output], numbers);
        }
    }

    [Fact]
    public void The_instructions_never_appear_in_the_pretraining_corpus()
    {
        var corpus = string.Concat(SyntheticCorpus.Documents(1).Take(3000));
        foreach (string task in DemoTasks.Names)
            Assert.DoesNotContain(DemoTasks.Generate(task, 1, 0)[0].Instruction.ToLowerInvariant(), corpus);
        Assert.DoesNotContain("matey", corpus);
    }

    [Fact]
    public void An_unknown_task_lists_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => DemoTasks.Generate("translate", 1, 0));
        Assert.Contains("reverse-words, pirate-style, extract-number", e.Message);
    }
}
