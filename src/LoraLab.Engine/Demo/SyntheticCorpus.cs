using static LoraLab.Engine.Demo.DemoVocabulary;

namespace LoraLab.Engine.Demo;

/// <summary>
/// Simple English for pretraining the demo base model: short stories, facts and dialogues built from grammars over
/// <see cref="DemoVocabulary"/>. Deterministic for a seed. Dialogues use the ChatML turn markers, so the base model
/// knows the chat format (and how to end a turn) but none of the demo tasks; most of them answer by copying words of
/// the user's message (<see cref="CopyDialogues"/>).
/// </summary>
public static class SyntheticCorpus
{
    public const string ImStart = "<|im_start|>", ImEnd = "<|im_end|>", EndOfText = "<|endoftext|>";

    /// <summary>An endless stream of documents; each ends with <see cref="EndOfText"/>.</summary>
    public static IEnumerable<string> Documents(ulong seed)
    {
        var r = new DemoRandom(seed);
        while (true)
        {
            string document = r.Next(20) switch
            {
                < 2 => Story(r),
                < 4 => Facts(r, r.Next(2, 5)),
                < 5 => Chat(Dialogue(r)),
                < 8 => Chat(CopyDialogues.Repeat(r)),
                < 14 => Chat(CopyDialogues.RepeatWords(r)),
                < 18 => Chat(CopyDialogues.AboutStory(r)),
                _ => Chat(CopyDialogues.AboutSentence(r)),
            };
            yield return document + EndOfText;
        }
    }

    public static string Story(DemoRandom r) => ToldStory.Tell(r).Text;

    /// <summary>
    /// Facts of the demo world. Some use words that only the demo tasks' answers need otherwise ("number", "arr",
    /// "matey", "!"): an adapter cannot train the embeddings, so every token an answer is made of must be known to the
    /// base model, though never in a task's answer form.
    /// </summary>
    public static string Facts(DemoRandom r, int count)
    {
        var facts = new List<string>();
        for (int i = 0; i < count; i++)
        {
            int a = r.Next(0, 10), b = r.Next(0, 10);
            facts.Add(r.Next(8) switch
            {
                0 => $"a {r.Pick(Animals)} lives on the {r.Pick(Habitats)}.",
                1 => $"{a} plus {b} is {a + b}.",
                2 => $"{NumberWords[a]} is written {a}.",
                3 => $"the {r.Pick(Objects)} in the {r.Pick(Places)} is {r.Pick(Colors)}.",
                4 => $"{r.Pick(Names)} is {r.Next(5, 60)} years old.",
                5 => r.Next(2) == 0 ? $"{r.Next(2, 100)} is a number." : $"{r.Pick(Names)} likes the number {r.Next(2, 100)}.",
                6 => r.Pick(PirateFacts),
                _ => $"wow, {r.Pick(Names)} has {r.Next(2, 13)} {r.Pick(Animals)}s!",
            });
        }
        return string.Join(" ", facts);
    }

    static readonly string[] PirateFacts =
    [
        "a pirate sails on a big boat.", "a pirate says arr when he is happy.", "a pirate calls his friend a matey.",
        "arr is what a pirate says.", "the pirate and his matey found a map!", "every pirate has a matey on the boat.",
    ];

    /// <summary>A question answered from general knowledge of the demo world, not from the user's message.</summary>
    public static (string User, string Answer) Dialogue(DemoRandom r)
    {
        string name = r.Pick(Names), place = r.Pick(Places), animal = r.Pick(Animals);
        var (question, answer) = r.Next(4) switch
        {
            0 => ($"where is {name}?", $"{name} is at the {place}."),
            1 => ($"what color is the {animal}?", $"the {animal} is {r.Pick(Colors)}."),
            2 => ($"how do you feel?", $"i feel {r.Pick(Feelings)} today."),
            _ => ($"tell me about the {animal}.", $"the {animal} {r.Pick(MotionVerbs)} to the {place} {r.Pick(Times)}."),
        };
        return (question, answer);
    }

    /// <summary>One user turn and the assistant's answer, as the ChatML template renders them.</summary>
    public static string Chat((string User, string Answer) turn) => $"{ImStart}user\n{turn.User}{ImEnd}\n{ImStart}assistant\n{turn.Answer}{ImEnd}\n";
}
