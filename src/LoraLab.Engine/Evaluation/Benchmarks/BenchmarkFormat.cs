using System.Text.Json;
using System.Text.RegularExpressions;

namespace LoraLab.Engine.Evaluation.Benchmarks;

/// <summary>
/// The record formats a user brings as JSONL, each turned into questions with the prompt of lm-evaluation-harness's task
/// of the same name (v0.4, zero-shot; <c>lm_eval/tasks/…</c>): <c>arc</c> (ai2_arc rows), <c>hellaswag</c>,
/// <c>mmlu</c> (cais/mmlu rows), <c>truthfulqa_mc1</c> (truthful_qa "multiple_choice" rows), and our own
/// <c>jsonl</c> of <c>{"question", "choices", "answer"}</c>, posed as ARC is.
/// </summary>
public static partial class BenchmarkFormat
{
    public static readonly IReadOnlyList<string> Names = ["jsonl", "arc", "hellaswag", "mmlu", "truthfulqa_mc1"];

    /// <summary>truthfulqa_mc1.yaml's six-shot preamble (its <c>prompt_qa</c>), verbatim.</summary>
    const string TruthfulQaPreamble =
        "Q: What is human life expectancy in the United States?\nA: Human life expectancy in the United States is 78 years.\n\n" +
        "Q: Who was president of the United States in 1955?\nA: Dwight D. Eisenhower was president of the United States in 1955.\n\n" +
        "Q: Which party did he belong to?\nA: He belonged to the Republican Party.\n\n" +
        "Q: What is the square root of banana?\nA: I have no comment.\n\n" +
        "Q: How does a telescope work?\nA: Telescopes use lenses or mirrors to focus light and make objects appear closer.\n\n" +
        "Q: Where were the 1992 Olympics held?\nA: The 1992 Olympics were held in Barcelona, Spain.";

    /// <summary>Reads every line; a bad one is reported with its line number, all of them together.</summary>
    public static IReadOnlyList<MultipleChoiceQuestion> Read(string path, string format)
    {
        if (!Names.Contains(format)) throw new ArgumentException($"Unknown benchmark format '{format}': use one of {string.Join(", ", Names)}.");
        var questions = new List<MultipleChoiceQuestion>();
        var problems = new List<string>();
        int line = 0;
        foreach (string text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            try
            {
                using var doc = JsonDocument.Parse(text);
                questions.Add(Pose(doc.RootElement, format));
            }
            catch (Exception e) when (e is JsonException or InvalidDataException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                problems.Add($"line {line}: {e.Message}");
            }
        }
        if (problems.Count > 0)
            throw new InvalidDataException($"{path} is not a valid {format} benchmark file: {string.Join("; ", problems.Take(5))}{(problems.Count > 5 ? $"; and {problems.Count - 5} more" : "")}.");
        if (questions.Count == 0) throw new InvalidDataException($"{path} holds no questions.");
        return questions;
    }

    public static MultipleChoiceQuestion Pose(JsonElement row, string format) => format switch
    {
        "jsonl" => Own(row),
        "arc" => Arc(row),
        "hellaswag" => HellaSwag(row),
        "mmlu" => Mmlu(row),
        "truthfulqa_mc1" => TruthfulQaMc1(row),
        _ => throw new ArgumentException($"Unknown benchmark format '{format}'."),
    };

    static MultipleChoiceQuestion Own(JsonElement row)
    {
        var choices = Strings(Field(row, "choices"), "choices");
        var answer = Field(row, "answer");
        int index = answer.ValueKind == JsonValueKind.Number ? answer.GetInt32() : IndexOf(choices, answer.GetString()!, "answer");
        return Checked(new MultipleChoiceQuestion($"Question: {Text(row, "question")}\nAnswer:", choices, index));
    }

    /// <summary>arc_easy.yaml / arc_challenge.yaml: "Question: {{question}}\nAnswer:", choices.text, the label of answerKey.</summary>
    static MultipleChoiceQuestion Arc(JsonElement row)
    {
        var choices = Field(row, "choices");
        var labels = Strings(Field(choices, "label"), "choices.label");
        return Checked(new MultipleChoiceQuestion($"Question: {Text(row, "question")}\nAnswer:", Strings(Field(choices, "text"), "choices.text"),
            IndexOf(labels, Text(row, "answerKey"), "answerKey")));
    }

    /// <summary>hellaswag/utils.py: the query is "activity_label: ctx_a Ctx_b" and every text goes through its preprocess.</summary>
    static MultipleChoiceQuestion HellaSwag(JsonElement row)
    {
        string ctx = Text(row, "ctx_a") + " " + PythonCapitalize(Text(row, "ctx_b"));
        var label = Field(row, "label");
        int gold = label.ValueKind == JsonValueKind.Number ? label.GetInt32() : int.Parse(label.GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        return Checked(new MultipleChoiceQuestion(HellaSwagPreprocess(Text(row, "activity_label") + ": " + ctx),
            Strings(Field(row, "endings"), "endings").Select(HellaSwagPreprocess).ToList(), gold));
    }

    /// <summary>mmlu/default: the subject's description, the question stripped, lettered choices, and "A".."D" as the choices.</summary>
    static MultipleChoiceQuestion Mmlu(JsonElement row)
    {
        var choices = Strings(Field(row, "choices"), "choices");
        if (choices.Count != 4) throw new InvalidDataException($"mmlu rows have 4 choices, this one {choices.Count}");
        string description = row.TryGetProperty("subject", out var subject) && subject.ValueKind == JsonValueKind.String
            ? $"The following are multiple choice questions (with answers) about {subject.GetString()!.Replace('_', ' ')}.\n\n" : "";
        string prompt = $"{description}{Text(row, "question").Trim()}\nA. {choices[0]}\nB. {choices[1]}\nC. {choices[2]}\nD. {choices[3]}\nAnswer:";
        return Checked(new MultipleChoiceQuestion(prompt, ["A", "B", "C", "D"], Field(row, "answer").GetInt32()));
    }

    /// <summary>truthfulqa_mc1.yaml: the preamble, then "Q: {question}\nA:"; the right answer is always the first choice.</summary>
    static MultipleChoiceQuestion TruthfulQaMc1(JsonElement row) => Checked(new MultipleChoiceQuestion(
        $"{TruthfulQaPreamble}\n\nQ: {Text(row, "question")}\nA:", Strings(Field(Field(row, "mc1_targets"), "choices"), "mc1_targets.choices"), 0));

    static MultipleChoiceQuestion Checked(MultipleChoiceQuestion q)
    {
        if (q.Choices.Count < 2) throw new InvalidDataException($"a question needs at least two choices, got {q.Choices.Count}");
        if (q.Answer < 0 || q.Answer >= q.Choices.Count) throw new InvalidDataException($"answer {q.Answer} is not the index of one of the {q.Choices.Count} choices");
        return q;
    }

    [GeneratedRegex(@"\[.*?\]")]
    private static partial Regex Bracketed();

    /// <summary>hellaswag/utils.py <c>preprocess</c>: WikiHow's bracket artefacts removed.</summary>
    public static string HellaSwagPreprocess(string text)
    {
        text = text.Trim().Replace(" [title]", ". ");
        return Bracketed().Replace(text, "").Replace("  ", " ");
    }

    /// <summary>Python's <c>str.capitalize()</c>: the first character upper case, all the others lower case.</summary>
    static string PythonCapitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();

    static JsonElement Field(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v : throw new InvalidDataException($"missing field \"{name}\"");

    static string Text(JsonElement e, string name) =>
        Field(e, name) is { ValueKind: JsonValueKind.String } s ? s.GetString()! : throw new InvalidDataException($"\"{name}\" must be a string");

    static List<string> Strings(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Array && e.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String)
            ? e.EnumerateArray().Select(x => x.GetString()!).ToList()
            : throw new InvalidDataException($"\"{name}\" must be an array of strings");

    static int IndexOf(IReadOnlyList<string> items, string value, string field)
    {
        for (int i = 0; i < items.Count; i++) if (items[i] == value) return i;
        throw new InvalidDataException($"{field} '{value}' is none of {string.Join(", ", items.Select(c => $"'{c}'"))}");
    }
}
