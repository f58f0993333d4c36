using System.CommandLine;
using System.Text.Json;
using LoraLab.Engine;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Evaluation.Judging;

namespace LoraLab.Cli.Commands;

/// <summary>
/// <c>loralab judge (--model DIR [--adapter DIR] | --endpoint URL --endpoint-model NAME) --data FILE.jsonl [--prompt FILE.json] [--json]</c>:
/// a model folder, or an OpenAI-compatible endpoint (key from <c>OPENAI_API_KEY</c>, never on the command line), as the
/// judge of answer pairs (<c>{"question", "answer_a", "answer_b"}</c>, MT-Bench's pair-v2 asked in both orders) or of
/// single answers (<c>{"question", "answer"}</c>, rated 1–10 with single-v1).
/// </summary>
static class JudgeCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "A Hugging Face model folder as the judge (or --endpoint)." };
        var adapter = CommonOptions.Adapter();
        var endpoint = new Option<string?>("--endpoint") { Description = "An OpenAI-compatible API as the judge, e.g. https://api.openai.com/v1; the key is read from OPENAI_API_KEY." };
        var endpointModel = new Option<string?>("--endpoint-model") { Description = "The endpoint's model, e.g. gpt-4o-mini." };
        var data = new Option<string>("--data") { Description = "JSONL of {\"question\", \"answer_a\", \"answer_b\"} or {\"question\", \"answer\"}.", Required = true };
        var prompt = new Option<string?>("--prompt") { Description = "JSON {\"system\", \"template\"} replacing MT-Bench's prompt." };
        var maxNewTokens = new Option<int>("--max-new-tokens") { Description = "Longest judgment generated.", DefaultValueFactory = _ => 512 };
        var json = CommonOptions.Json();
        var device = CommonOptions.Device();
        var command = new Command("judge", "Judge answers with a model: pairwise (both orders) or a 1–10 rating.") { model, adapter, endpoint, endpointModel, data, prompt, maxNewTokens, json, device };
        command.SetAction(async (parse, cancellation) =>
        {
            if (parse.GetValue(model) is not null && parse.GetValue(endpoint) is not null)
                throw new ArgumentException("Choose one judge: --model or --endpoint, not both.");
            var rows = File.ReadLines(parse.GetValue(data)!).Where(l => !string.IsNullOrWhiteSpace(l))
                .Select((l, i) => Row(l, i + 1)).ToList();
            if (rows.Count == 0) throw new InvalidDataException($"{parse.GetValue(data)} holds no answers to judge.");
            bool pairwise = rows[0].AnswerB is not null;
            if (rows.Any(r => (r.AnswerB is not null) != pairwise)) throw new InvalidDataException("Every line must be a pair, or every line a single answer.");
            var judgePrompt = parse.GetValue(prompt) is { } file ? ReadPrompt(file) : pairwise ? JudgePrompt.Pairwise : JudgePrompt.Rating;
            using var lm = parse.GetValue(model) is { } folder ? LanguageModel.Open(folder, ComputeDevice.Select(parse.GetValue(device)!), parse.GetValue(adapter)) : null;
            IJudgeModel judge = lm is not null
                ? new LanguageModelJudge(lm, Path.GetFileName(parse.GetValue(model)!), parse.GetValue(maxNewTokens))
                : EndpointJudge(parse.GetValue(endpoint), parse.GetValue(endpointModel), parse.GetValue(adapter), parse.GetValue(maxNewTokens));
            if (pairwise)
            {
                var outcomes = new List<PairwiseOutcome>();
                foreach (var r in rows) outcomes.Add(await PairwiseJudging.CompareAsync(judge, judgePrompt, r.Question, r.Answer, r.AnswerB!, cancellation: cancellation));
                int a = outcomes.Count(o => o.Winner == "first"), b = outcomes.Count(o => o.Winner == "second");
                if (parse.GetValue(json))
                    JsonOutput.Print(new
                    {
                        a_wins = a, b_wins = b, ties = outcomes.Count - a - b, pairs = outcomes.Count,
                        verdicts = outcomes.Select(o => new { winner = o.Winner, judgments = o.Judgments }),
                    });
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

    /// <exception cref="ArgumentException">Neither --model nor a complete --endpoint was given, or both were.</exception>
    static OpenAiEndpointJudge EndpointJudge(string? endpoint, string? model, string? adapter, int maxNewTokens)
    {
        if (endpoint is null) throw new ArgumentException("Name the judge: --model DIR, or --endpoint URL with --endpoint-model NAME.");
        if (adapter is not null) throw new ArgumentException("--adapter applies to a --model judge; an endpoint serves its own models.");
        if (string.IsNullOrWhiteSpace(model)) throw new ArgumentException("--endpoint needs --endpoint-model, the name of the endpoint's model.");
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri)) throw new ArgumentException($"--endpoint '{endpoint}' is not an absolute http or https address.");
        return new OpenAiEndpointJudge(uri, model, Environment.GetEnvironmentVariable("OPENAI_API_KEY"), maxOutputTokens: maxNewTokens);
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
