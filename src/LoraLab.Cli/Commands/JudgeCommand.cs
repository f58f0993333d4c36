using System.CommandLine;
using System.Text.Json;
using LoraLab.Engine;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Evaluation.Judging;

namespace LoraLab.Cli.Commands;

/// <summary>
/// <c>loralab judge --model DIR [--adapter DIR] --data FILE.jsonl [--prompt FILE.json] [--json]</c>: a studio model as the
/// judge of answer pairs (<c>{"question", "answer_a", "answer_b"}</c>, MT-Bench's pair-v2 asked in both orders) or of
/// single answers (<c>{"question", "answer"}</c>, rated 1–10 with single-v1).
/// </summary>
static class JudgeCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var adapter = CommonOptions.Adapter();
        var data = new Option<string>("--data") { Description = "JSONL of {\"question\", \"answer_a\", \"answer_b\"} or {\"question\", \"answer\"}.", Required = true };
        var prompt = new Option<string?>("--prompt") { Description = "JSON {\"system\", \"template\"} replacing MT-Bench's prompt." };
        var maxNewTokens = new Option<int>("--max-new-tokens") { Description = "Longest judgment generated.", DefaultValueFactory = _ => 512 };
        var json = CommonOptions.Json();
        var device = CommonOptions.Device();
        var command = new Command("judge", "Judge answers with a model: pairwise (both orders) or a 1–10 rating.") { model, adapter, data, prompt, maxNewTokens, json, device };
        command.SetAction(async (parse, cancellation) =>
        {
            var rows = File.ReadLines(parse.GetValue(data)!).Where(l => !string.IsNullOrWhiteSpace(l))
                .Select((l, i) => Row(l, i + 1)).ToList();
            if (rows.Count == 0) throw new InvalidDataException($"{parse.GetValue(data)} holds no answers to judge.");
            bool pairwise = rows[0].AnswerB is not null;
            if (rows.Any(r => (r.AnswerB is not null) != pairwise)) throw new InvalidDataException("Every line must be a pair, or every line a single answer.");
            var judgePrompt = parse.GetValue(prompt) is { } file ? ReadPrompt(file) : pairwise ? JudgePrompt.Pairwise : JudgePrompt.Rating;
            using var lm = LanguageModel.Open(parse.GetValue(model)!, ComputeDevice.Select(parse.GetValue(device)!), parse.GetValue(adapter));
            var judge = new LanguageModelJudge(lm, Path.GetFileName(parse.GetValue(model)!), parse.GetValue(maxNewTokens));
            if (pairwise)
            {
                var outcomes = new List<PairwiseOutcome>();
                foreach (var r in rows) outcomes.Add(await PairwiseJudging.CompareAsync(judge, judgePrompt, r.Question, r.Answer, r.AnswerB!, cancellation: cancellation));
                int a = outcomes.Count(o => o.Winner == "first"), b = outcomes.Count(o => o.Winner == "second");
                if (parse.GetValue(json)) JsonOutput.Print(new { a_wins = a, b_wins = b, ties = outcomes.Count - a - b, pairs = outcomes.Count });
                else Console.WriteLine($"A wins {a}, B wins {b}, ties {outcomes.Count - a - b} of {outcomes.Count} pairs (a win needs both orders)");
            }
            else
            {
                var ratings = new List<double?>();
                foreach (var r in rows) ratings.Add((await PairwiseJudging.RateAsync(judge, judgePrompt, r.Question, r.Answer, cancellation: cancellation)).Rating);
                var read = ratings.OfType<double>().ToList();
                double? mean = read.Count > 0 ? read.Average() : null;
                if (parse.GetValue(json)) JsonOutput.Print(new { mean_rating = mean, rated = read.Count, unreadable = ratings.Count - read.Count });
                else Console.WriteLine($"mean rating {(mean is { } m ? m.ToString("F2") : "none")} over {read.Count} answers; {ratings.Count - read.Count} judgments gave no rating");
            }
            return 0;
        });
        return command;
    }

    sealed record AnswerRow(string Question, string Answer, string? AnswerB);

    static AnswerRow Row(string line, int number)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            string Get(string name) => r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new InvalidDataException($"line {number}: needs a string \"{name}\".");
            return r.TryGetProperty("answer_a", out _) ? new AnswerRow(Get("question"), Get("answer_a"), Get("answer_b")) : new AnswerRow(Get("question"), Get("answer"), null);
        }
        catch (JsonException e) { throw new InvalidDataException($"line {number} is not JSON: {e.Message}"); }
    }

    static JudgePrompt ReadPrompt(string file)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            string Get(string name) => doc.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()! : throw new InvalidDataException($"{file} needs a string \"{name}\".");
            return new JudgePrompt(Get("system"), Get("template"));
        }
        catch (JsonException e) { throw new InvalidDataException($"{file} is not JSON: {e.Message}"); }
    }
}
