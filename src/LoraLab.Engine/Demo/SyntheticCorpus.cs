using static LoraLab.Engine.Demo.DemoVocabulary;

namespace LoraLab.Engine.Demo;

/// <summary>
/// Simple English for pretraining the demo base model: short stories, facts and dialogues built from grammars over
/// <see cref="DemoVocabulary"/>. Deterministic for a seed. Dialogues use the ChatML turn markers, so the base model
/// knows the chat format (and how to end a turn) but none of the demo tasks.
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
            string document = r.Next(10) switch
            {
                < 5 => Story(r),
                < 8 => Facts(r),
                _ => Dialogue(r),
            };
            yield return document + EndOfText;
        }
    }

    public static string Story(DemoRandom r)
    {
        string name = r.Pick(Names), friend = r.Pick(Names), animal = r.Pick(Animals), place = r.Pick(Places);
        var sentences = new List<string>
        {
            $"{name} had a {r.Pick(Sizes)} {r.Pick(Colors)} {animal}.",
            $"one day the {animal} {r.Pick(MotionVerbs)} to the {place} {r.Pick(Times)}.",
        };
        int more = r.Next(1, 4);
        for (int i = 0; i < more; i++)
            sentences.Add(r.Next(4) switch
            {
                0 => $"{name} {r.Pick(ActionVerbs)} a {r.Pick(Colors)} {r.Pick(Objects)} at the {place}.",
                1 => $"{friend} gave {name} {r.Next(2, 13)} {r.Pick(Foods)}s.",
                2 => $"the {animal} was {r.Pick(Feelings)} and {name} was {r.Pick(Feelings)}.",
                _ => $"then {name} and {friend} {r.Pick(MotionVerbs)} to the {r.Pick(Places)}.",
            });
        sentences.Add($"at the end of the day {name} was {r.Pick(Feelings)}.");
        return string.Join(" ", sentences);
    }

    public static string Facts(DemoRandom r)
    {
        int count = r.Next(2, 5);
        var facts = new List<string>();
        for (int i = 0; i < count; i++)
        {
            int a = r.Next(0, 10), b = r.Next(0, 10);
            facts.Add(r.Next(5) switch
            {
                0 => $"a {r.Pick(Animals)} lives on the {r.Pick(Habitats)}.",
                1 => $"{a} plus {b} is {a + b}.",
                2 => $"{NumberWords[a]} is written {a}.",
                3 => $"the {r.Pick(Objects)} in the {r.Pick(Places)} is {r.Pick(Colors)}.",
                _ => $"{r.Pick(Names)} is {r.Next(5, 60)} years old.",
            });
        }
        return string.Join(" ", facts);
    }

    public static string Dialogue(DemoRandom r)
    {
        string name = r.Pick(Names), place = r.Pick(Places), animal = r.Pick(Animals);
        var (question, answer) = r.Next(4) switch
        {
            0 => ($"where is {name}?", $"{name} is at the {place}."),
            1 => ($"what color is the {animal}?", $"the {animal} is {r.Pick(Colors)}."),
            2 => ($"how do you feel?", $"i feel {r.Pick(Feelings)} today."),
            _ => ($"tell me about the {animal}.", $"the {animal} {r.Pick(MotionVerbs)} to the {place} {r.Pick(Times)}."),
        };
        return $"{ImStart}user\n{question}{ImEnd}\n{ImStart}assistant\n{answer}{ImEnd}\n";
    }
}
