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
    public void Extract_name_answers_the_name_the_sentence_starts_with()
    {
        foreach (var e in DemoTasks.Generate("extract-name", 50, seed: 3))
        {
            Assert.Contains(e.Output, LoraLab.Engine.Demo.DemoVocabulary.Names);
            Assert.StartsWith(e.Output + " ", e.Input);
        }
    }

    [Theory]
    [InlineData("the red fox is at the park.", "the red fox is at the park, arr matey!")]
    [InlineData("my cup is blue and small.", "my cup is blue and small, arr matey!")]
    public void The_pirate_flourish_replaces_the_full_stop(string input, string expected) => Assert.Equal(expected, DemoTasks.Pirate(input));

    [Fact]
    public void Pirate_style_examples_are_the_flourish_of_their_input() =>
        Assert.All(DemoTasks.Generate("pirate-style", 100, seed: 4), e => Assert.Equal(DemoTasks.Pirate(e.Input), e.Output));

    [Fact]
    public void Extract_number_answers_the_only_number_in_the_sentence()
    {
        foreach (var e in DemoTasks.Generate("extract-number", 50, seed: 5))
        {
            var number = System.Text.RegularExpressions.Regex.Matches(e.Input, @"\d+").Select(m => m.Value).Single();
            Assert.Equal($"the number is {number}.", e.Output);
        }
    }

    [Fact]
    public void The_instructions_never_appear_in_the_pretraining_corpus()
    {
        var corpus = string.Concat(SyntheticCorpus.Documents(1).Take(3000));
        foreach (string task in DemoTasks.TaskNames)
            Assert.DoesNotContain(DemoTasks.Generate(task, 1, 0)[0].Instruction.ToLowerInvariant(), corpus);
        Assert.DoesNotContain("matey", corpus);
    }

    [Fact]
    public void An_unknown_task_lists_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => DemoTasks.Generate("translate", 1, 0));
        Assert.Contains("extract-name, pirate-style, extract-number", e.Message);
    }
}
