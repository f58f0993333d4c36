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
        // 16 of every 20 documents are dialogues.
        Assert.InRange(dialogues.Count, 280, 360);
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
    public void The_instructions_and_answer_forms_of_the_tasks_never_appear_in_the_pretraining_corpus()
    {
        var corpus = string.Concat(SyntheticCorpus.Documents(1).Take(5000));
        foreach (string task in DemoTasks.TaskNames)
            Assert.DoesNotContain(DemoTasks.Generate(task, 1, 0)[0].Instruction.ToLowerInvariant(), corpus);
        Assert.DoesNotContain("like a pirate", corpus);
        Assert.DoesNotContain("arr matey", corpus);
        Assert.DoesNotContain("the number is", corpus);
    }

    [Fact]
    public void Every_word_and_mark_of_every_task_answer_occurs_in_the_corpus()
    {
        // An adapter cannot train embeddings: a token the base never saw stays unusable in an answer.
        var corpusPieces = SyntheticCorpus.Documents(1).Take(5000).SelectMany(WordsAndMarks).ToHashSet();
        foreach (string task in DemoTasks.TaskNames)
            foreach (var e in DemoTasks.Generate(task, 200, 9))
                Assert.All(WordsAndMarks(e.Output), piece => Assert.Contains(piece, corpusPieces));
    }

    [Fact]
    public void No_assistant_answer_in_the_corpus_is_a_bare_name()
    {
        var answers = SyntheticCorpus.Documents(2).Take(5000).Select(AssistantAnswer).OfType<string>().ToList();
        Assert.NotEmpty(answers);
        Assert.DoesNotContain(answers, a => DemoVocabulary.Names.Contains(a.TrimEnd('.')));
    }

    [Theory]
    [InlineData("repeat")]
    [InlineData("words")]
    [InlineData("story")]
    [InlineData("sentence")]
    public void Copy_dialogues_answer_only_with_words_of_the_user_turn(string kind)
    {
        var r = new DemoRandom(7);
        for (int i = 0; i < 500; i++)
        {
            var (user, answer) = kind switch
            {
                "repeat" => CopyDialogues.Repeat(r),
                "words" => CopyDialogues.RepeatWords(r),
                "story" => CopyDialogues.AboutStory(r),
                _ => CopyDialogues.AboutSentence(r),
            };
            var userWords = Words(user).ToHashSet();
            Assert.All(Words(answer), w => Assert.Contains(w, userWords));
            if (kind is "repeat" or "words") Assert.Contains(answer, user);
        }
    }

    [Fact]
    public void Copy_dialogues_are_the_same_for_the_same_seed()
    {
        static List<(string, string)> Draw(ulong seed)
        {
            var r = new DemoRandom(seed);
            return Enumerable.Range(0, 30).SelectMany(_ => new[] { CopyDialogues.Repeat(r), CopyDialogues.RepeatWords(r), CopyDialogues.AboutStory(r), CopyDialogues.AboutSentence(r) }).ToList();
        }
        Assert.Equal(Draw(3), Draw(3));
        Assert.NotEqual(Draw(3), Draw(4));
    }

    [Fact]
    public void A_story_asks_each_question_once_so_every_question_has_one_answer()
    {
        var r = new DemoRandom(8);
        for (int i = 0; i < 300; i++)
        {
            var story = ToldStory.Tell(r);
            Assert.Equal(story.Questions.Count, story.Questions.Select(q => q.Question).Distinct().Count());
        }
    }

    static IEnumerable<string> WordsAndMarks(string text) =>
        System.Text.RegularExpressions.Regex.Matches(text, @"[a-z0-9]+|[^\sa-z0-9]").Select(m => m.Value);

    static string[] Words(string text) =>
        text.Split([' ', '\n', '.', '?', ',', ':', '!'], StringSplitOptions.RemoveEmptyEntries);

    static string? AssistantAnswer(string document)
    {
        const string marker = SyntheticCorpus.ImStart + "assistant\n";
        int start = document.IndexOf(marker, StringComparison.Ordinal);
        return start < 0 ? null : document[(start + marker.Length)..document.IndexOf(SyntheticCorpus.ImEnd, start, StringComparison.Ordinal)];
    }

    [Fact]
    public void An_unknown_task_lists_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => DemoTasks.Generate("translate", 1, 0));
        Assert.Contains("extract-name, pirate-style, extract-number", e.Message);
    }
}
