using static LoraLab.Engine.Demo.DemoVocabulary;

namespace LoraLab.Engine.Demo;

/// <summary>
/// Chat turns whose answer copies words of the user's message: repeating a sentence, and answering a question about a
/// sentence or a story given beside it. Pretraining on them gives the demo base model the skill every demo task builds
/// on, copying from the user turn into the assistant turn, so that an adapter only has to learn which words to copy
/// and in what form. The phrasings never use a demo task's instruction or answer form.
/// </summary>
public static class CopyDialogues
{
    static readonly string[] RepeatBefore =
    [
        "repeat after me: ", "say this again: ", "please repeat this.\n\n", "copy this text.\n\n", "can you repeat this? ",
        "write this down for me: ", "say it back: ", "read this out loud.\n\n",
    ];

    static readonly string[] RepeatAfter = ["\n\nsay that back to me.", "\n\nrepeat it.", " can you say that again?", "\n\nplease copy it."];

    /// <summary>A user message holding a sentence (or a few) and a request to repeat it; the answer is the text.</summary>
    public static (string User, string Answer) Repeat(DemoRandom r)
    {
        string text = r.Next(4) switch
        {
            0 => SentenceWithQuestion(r).Sentence,
            1 => SyntheticCorpus.Facts(r, count: r.Next(1, 3)),
            2 => string.Join(" ", ToldStory.Tell(r).Sentences.Take(r.Next(1, 3))),
            _ => ToldStory.Tell(r).Text,
        };
        string user = r.Next(3) == 0 ? text + r.Pick(RepeatAfter) : r.Pick(RepeatBefore) + text;
        return (user, text);
    }

    static readonly string[] WordsBefore = ["repeat these words: ", "say these words back: ", "copy this list: ", "please say these words.\n\n"];

    static readonly string[] WordsAfter = ["\n\nsay these words again.", "\n\nrepeat the list.", " now you say them."];

    /// <summary>
    /// A list of unrelated words to say back. Nothing but the user's message predicts them, so these teach copying
    /// itself (attention to the word after the one just copied), which grammatical sentences hardly need.
    /// </summary>
    public static (string User, string Answer) RepeatWords(DemoRandom r)
    {
        string[][] lists = [Names, Animals, Objects, Foods, Places, Colors, Sizes, Feelings];
        var words = Enumerable.Range(0, r.Next(3, 13)).Select(_ => r.Next(5) == 0 ? r.Next(2, 100).ToString() : r.Pick(r.Pick(lists)));
        string list = string.Join(" ", words);
        return (r.Next(3) == 0 ? list + r.Pick(WordsAfter) : r.Pick(WordsBefore) + list, list);
    }

    /// <summary>A story and a question about it, in either order; the answer copies the story's words.</summary>
    public static (string User, string Answer) AboutStory(DemoRandom r)
    {
        var story = ToldStory.Tell(r);
        var qa = r.Pick(story.Questions);
        return (Arrange(r, story.Text, qa.Question, "story"), qa.Answer);
    }

    /// <summary>One sentence and a question about it, in either order.</summary>
    public static (string User, string Answer) AboutSentence(DemoRandom r)
    {
        var (sentence, qa) = SentenceWithQuestion(r);
        return (Arrange(r, sentence, qa.Question, "sentence"), qa.Answer);
    }

    static string Arrange(DemoRandom r, string text, string question, string noun) => r.Next(5) switch
    {
        0 => $"{text}\n\n{question}",
        1 => $"{question}\n\n{text}",
        2 => $"{text} {question}",
        3 => $"read this {noun}.\n\n{text}\n\n{question}",
        _ => $"answer from the {noun}: {question}\n\n{text}",
    };

    /// <summary>Sentences of the kinds the demo tasks use, each with a question that is not a task's.</summary>
    static (string Sentence, QuestionAnswer Question) SentenceWithQuestion(DemoRandom r)
    {
        string name = r.Pick(Names), place = r.Pick(Places), color = r.Pick(Colors);
        switch (r.Next(7))
        {
            case 0:
                string verb = r.Pick(ActionVerbs), thing = r.Pick(Objects);
                return ($"{name} {verb} {Article(color)} {color} {thing} at the {place}.", r.Next(2) == 0
                    ? new($"where was {name}?", $"{name} was at the {place}.")
                    : new($"what color was the {thing}?", $"the {thing} was {color}."));
            case 1:
                string motion = r.Pick(MotionVerbs), time = r.Pick(Times);
                return ($"{name} {motion} to the {place} {time}.", r.Next(2) == 0
                    ? new($"where did {name} go?", $"{name} {motion} to the {place}.")
                    : new($"when did {name} go to the {place}?", $"{time}."));
            case 2:
                string first = r.Pick(Feelings), second = r.Pick(Feelings);
                return ($"{name} was {first} and {second} at the {place}.", new($"how was {name}?", $"{name} was {first} and {second}."));
            case 3:
                int seen = r.Next(2, 100);
                string animal = r.Pick(Animals);
                return ($"{name} saw {seen} {animal}s at the {place}.", r.Next(2) == 0
                    ? new($"how many {animal}s did {name} see?", $"{name} saw {seen} {animal}s.")
                    : new($"what did {name} see at the {place}?", $"{name} saw {seen} {animal}s."));
            case 4:
                int count = r.Next(2, 100);
                string food = r.Pick(Foods), box = r.Pick(Objects);
                return ($"there were {count} {food}s in the {box}.", r.Next(2) == 0
                    ? new($"how many {food}s were in the {box}?", $"there were {count} {food}s in the {box}.")
                    : new($"where were the {food}s?", $"in the {box}."));
            case 5:
                string mine = r.Pick(Objects), size = r.Pick(Sizes);
                return ($"my {mine} is {color} and {size}.", r.Next(2) == 0
                    ? new($"what color is my {mine}?", $"{color}.")
                    : new($"is my {mine} big or small?", $"my {mine} is {size}."));
            default:
                string pet = r.Pick(Animals);
                return ($"the {color} {pet} is at the {place}.", r.Next(2) == 0
                    ? new($"where is the {pet}?", $"the {pet} is at the {place}.")
                    : new($"what color is the {pet}?", $"{color}."));
        }
    }
}
