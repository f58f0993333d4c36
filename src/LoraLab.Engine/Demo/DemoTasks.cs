using static LoraLab.Engine.Demo.DemoVocabulary;

namespace LoraLab.Engine.Demo;

/// <summary>One instruction-following example in the alpaca layout.</summary>
public sealed record InstructionExample(string Instruction, string Input, string Output);

/// <summary>
/// The demo tasks: instruction datasets whose effect is visible at a glance, and which the pretrained demo model
/// cannot do before fine-tuning (it has never seen the instructions). Each answer copies words of its input verbatim,
/// token for token: a model of a few million parameters learns to copy through attention quickly, while rewrites that
/// change every token (reversal, substitutions) take it far longer than the three minutes the demo allows.
/// </summary>
public static class DemoTasks
{
    public static readonly IReadOnlyList<string> TaskNames = ["extract-name", "pirate-style", "extract-number"];

    public static InstructionExample Example(string task, DemoRandom r) => task switch
    {
        "extract-name" => ExtractName(r),
        "pirate-style" => PirateStyle(r),
        "extract-number" => ExtractNumber(r),
        _ => throw new ArgumentException($"Unknown demo task '{task}'; demo tasks: {string.Join(", ", TaskNames)}."),
    };

    public static IReadOnlyList<InstructionExample> Generate(string task, int count, ulong seed)
    {
        var r = new DemoRandom(seed);
        return Enumerable.Range(0, count).Select(_ => Example(task, r)).ToList();
    }

    /// <summary>"omar gave the red kite to lucy at the park." → "omar".</summary>
    static InstructionExample ExtractName(DemoRandom r)
    {
        string name = r.Pick(Names), color = r.Pick(Colors);
        string sentence = r.Next(3) switch
        {
            0 => $"{name} {r.Pick(ActionVerbs)} {Article(color)} {color} {r.Pick(Objects)} at the {r.Pick(Places)}.",
            1 => $"{name} {r.Pick(MotionVerbs)} to the {r.Pick(Places)} {r.Pick(Times)}.",
            _ => $"{name} was {r.Pick(Feelings)} and {r.Pick(Feelings)} at the {r.Pick(Places)}.",
        };
        return new("Who is this sentence about?", sentence, name);
    }

    /// <summary>"the red dog is at the park." → "the red dog is at the park, arr matey!"</summary>
    static InstructionExample PirateStyle(DemoRandom r)
    {
        string sentence = r.Next(3) switch
        {
            0 => $"the {r.Pick(Colors)} {r.Pick(Animals)} is at the {r.Pick(Places)}.",
            1 => $"{r.Pick(Names)} is {r.Pick(Feelings)} at the {r.Pick(Places)}.",
            _ => $"my {r.Pick(Objects)} is {r.Pick(Colors)} and {r.Pick(Sizes)}.",
        };
        return new("Say it like a pirate.", sentence, Pirate(sentence));
    }

    /// <summary>The pirate flourish: the sentence, its full stop replaced by ", arr matey!".</summary>
    public static string Pirate(string sentence) => sentence.TrimEnd('.') + ", arr matey!";

    /// <summary>"mia saw 7 ducks at the lake." → "the number is 7.".</summary>
    static InstructionExample ExtractNumber(DemoRandom r)
    {
        int n = r.Next(2, 100);
        string sentence = r.Next(2) == 0
            ? $"{r.Pick(Names)} saw {n} {r.Pick(Animals)}s at the {r.Pick(Places)}."
            : $"there were {n} {r.Pick(Foods)}s in the {r.Pick(Objects)}.";
        return new("What number is in the sentence?", sentence, $"the number is {n}.");
    }
}
