using static LoraLab.Engine.Demo.DemoVocabulary;

namespace LoraLab.Engine.Demo;

/// <summary>One instruction-following example in the alpaca layout.</summary>
public sealed record InstructionExample(string Instruction, string Input, string Output);

/// <summary>
/// The demo tasks: instruction datasets whose effect is visible at a glance, and which the pretrained demo model
/// cannot do before fine-tuning (it has never seen the instructions).
/// </summary>
public static class DemoTasks
{
    public static readonly IReadOnlyList<string> Names = ["reverse-words", "pirate-style", "extract-number"];

    public static InstructionExample Example(string task, DemoRandom r) => task switch
    {
        "reverse-words" => ReverseWords(r),
        "pirate-style" => PirateStyle(r),
        "extract-number" => ExtractNumber(r),
        _ => throw new ArgumentException($"Unknown demo task '{task}'; demo tasks: {string.Join(", ", Names)}."),
    };

    public static IReadOnlyList<InstructionExample> Generate(string task, int count, ulong seed)
    {
        var r = new DemoRandom(seed);
        return Enumerable.Range(0, count).Select(_ => Example(task, r)).ToList();
    }

    /// <summary>"the red fox ran" → "ran fox red the".</summary>
    static InstructionExample ReverseWords(DemoRandom r)
    {
        string[] sentence = r.Next(3) switch
        {
            0 => [r.Pick(Names), r.Pick(MotionVerbs), "home"],
            1 => ["the", r.Pick(Colors), r.Pick(Animals), r.Pick(MotionVerbs)],
            _ => [r.Pick(Names), r.Pick(ActionVerbs), "a", r.Pick(Objects)],
        };
        return new("Reverse the order of the words.", string.Join(' ', sentence), string.Join(' ', sentence.Reverse()));
    }

    /// <summary>"the red dog is at the park." → "arr, th' red dog be at th' park, matey!"</summary>
    static InstructionExample PirateStyle(DemoRandom r)
    {
        string sentence = r.Next(3) switch
        {
            0 => $"the {r.Pick(Colors)} {r.Pick(Animals)} is at the {r.Pick(Places)}",
            1 => $"{r.Pick(Names)} is {r.Pick(Feelings)} at the {r.Pick(Places)}",
            _ => $"my {r.Pick(Objects)} is {r.Pick(Colors)} and {r.Pick(Sizes)}",
        };
        return new("Say it like a pirate.", sentence + ".", Pirate(sentence + "."));
    }

    /// <summary>The pirate rewrite: "arr, " + the sentence with the → th', is → be, my → me, and → an' + ", matey!".</summary>
    public static string Pirate(string sentence)
    {
        var words = sentence.TrimEnd('.').Split(' ').Select(w => w switch { "the" => "th'", "is" => "be", "my" => "me", "and" => "an'", _ => w });
        return $"arr, {string.Join(' ', words)}, matey!";
    }

    /// <summary>"mia saw 7 ducks at the lake." → "7".</summary>
    static InstructionExample ExtractNumber(DemoRandom r)
    {
        int n = r.Next(2, 100);
        string sentence = r.Next(2) == 0
            ? $"{r.Pick(Names)} saw {n} {r.Pick(Animals)}s at the {r.Pick(Places)}."
            : $"there were {n} {r.Pick(Foods)}s in the {r.Pick(Objects)}.";
        return new("What number is in the sentence?", sentence, n.ToString());
    }
}
