using System.CommandLine;
using LoraLab.Engine;
using LoraLab.Engine.Demo;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Evaluation.Metrics;

namespace LoraLab.Cli.Commands;

/// <summary>
/// <c>loralab score --model DIR [--adapter DIR] --data FILE.jsonl [--limit N] [--max-new-tokens N] [--json]</c>: greedy
/// answers to alpaca records in the model's chat template, scored against their outputs.
/// </summary>
static class ScoreCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var adapter = CommonOptions.Adapter();
        var data = new Option<string>("--data") { Description = "JSONL of alpaca records ({\"instruction\", \"input\", \"output\"}).", Required = true };
        var limit = new Option<int?>("--limit") { Description = "Score only the first N records." };
        var maxNewTokens = new Option<int>("--max-new-tokens") { Description = "Longest answer generated.", DefaultValueFactory = _ => 64 };
        var json = CommonOptions.Json();
        var device = CommonOptions.Device();
        var command = new Command("score", "Exact match, contains, ROUGE-1/2/L (rouge-score, no stemming), BLEU (sacreBLEU 13a) and JSON validity of greedy answers.")
        {
            model, adapter, data, limit, maxNewTokens, json, device,
        };
        command.SetAction(parse =>
        {
            var examples = DemoTaskFile.Read(parse.GetValue(data)!);
            if (parse.GetValue(limit) is { } n) examples = examples.Take(n).ToList();
            using var lm = LanguageModel.Open(parse.GetValue(model)!, ComputeDevice.Select(parse.GetValue(device)!), parse.GetValue(adapter));
            var answers = ExactMatch.Evaluate(lm, examples, maxNewTokens: parse.GetValue(maxNewTokens)).Outputs;
            var m = GenerationMetrics.Score(answers, examples.Select(e => e.Output).ToList());
            if (parse.GetValue(json))
                JsonOutput.Print(new
                {
                    examples = m.Examples, exact_match = m.ExactMatch, contains = m.Contains, rouge1 = m.Rouge1, rouge2 = m.Rouge2, rouge_l = m.RougeL,
                    bleu = m.Bleu, json_valid = m.JsonValid, json_shape_match = m.JsonShapeMatch,
                });
            else
                Console.WriteLine($"{m.Examples} records: exact match {m.ExactMatch:P1}  contains {m.Contains:P1}  ROUGE-1 {m.Rouge1:F3}  ROUGE-2 {m.Rouge2:F3}  " +
                    $"ROUGE-L {m.RougeL:F3}  BLEU {m.Bleu:F2}" + (m.JsonValid is { } v ? $"  valid JSON {v:P1}  JSON shape {m.JsonShapeMatch:P1}" : ""));
        });
        return command;
    }
}
