using System.CommandLine;
using LoraLab.Engine;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Evaluation.Benchmarks;

namespace LoraLab.Cli.Commands;

/// <summary>
/// <c>loralab benchmark --model DIR [--adapter DIR] --data FILE.jsonl --format arc|hellaswag|mmlu|truthfulqa_mc1|jsonl [--limit N] [--json]</c>:
/// multiple-choice accuracy by log-likelihood, scored as lm-evaluation-harness scores it.
/// </summary>
static class BenchmarkCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var adapter = CommonOptions.Adapter();
        var data = new Option<string>("--data") { Description = "JSONL file of benchmark rows.", Required = true };
        var format = new Option<string>("--format")
        {
            Description = $"Row format and prompt: {string.Join(", ", BenchmarkFormat.Names)} (jsonl: {{\"question\", \"choices\", \"answer\"}}).",
            DefaultValueFactory = _ => "jsonl",
        };
        var limit = new Option<int?>("--limit") { Description = "Score only the first N questions." };
        var json = CommonOptions.Json();
        var device = CommonOptions.Device();
        var command = new Command("benchmark", "Multiple-choice accuracy (acc, acc_norm) by log-likelihood, as lm-evaluation-harness scores it.")
        {
            model, adapter, data, format, limit, json, device,
        };
        command.SetAction((parse, cancellation) =>
        {
            var questions = BenchmarkFormat.Read(parse.GetValue(data)!, parse.GetValue(format)!);
            if (parse.GetValue(limit) is { } n) questions = questions.Take(n).ToList();
            using var lm = LanguageModel.Open(parse.GetValue(model)!, ComputeDevice.Select(parse.GetValue(device)!), parse.GetValue(adapter));
            using var progress = new ConsoleProgress("benchmark", questions.Count, enabled: !parse.GetValue(json));
            var result = MultipleChoiceScorer.Score(lm.Network, lm.Tokenizer, questions,
                forward: lm.Logits, questionsDone: progress, cancellation: cancellation);
            progress.Finish();
            if (parse.GetValue(json)) JsonOutput.Print(new { acc = result.Accuracy, acc_norm = result.NormalizedAccuracy, questions = result.Questions });
            else Console.WriteLine($"acc {result.Accuracy:F4}  acc_norm {result.NormalizedAccuracy:F4}  over {result.Questions} questions");
            return Task.FromResult(0);
        });
        return command;
    }
}
