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

    /// <summary>"the dog is at the park." → "arr, th' dog be at th' park, matey!"</summary>
    static InstructionExample PirateStyle(DemoRandom r)
    {
        string animal = r.Pick(Animals), place = r.Pick(Places), name = r.Pick(Names);
        string sentence = r.Next(3) switch
        {
            0 => $"the {animal} is at the {place}",
            1 => $"{name} is {r.Pick(Feelings)}",
            _ => $"my {r.Pick(Objects)} is {r.Pick(Colors)}",
        };
        string pirate = string.Join(' ', sentence.Split(' ').Select(w => w switch { "the" => "th'", "is" => "be", "my" => "me", _ => w }));
        return new("Say it like a pirate.", sentence + ".", $"arr, {pirate}, matey!");
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
