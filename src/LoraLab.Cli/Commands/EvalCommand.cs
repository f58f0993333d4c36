using System.CommandLine;
using LoraLab.Engine;
using LoraLab.Engine.Data;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Evaluation;

namespace LoraLab.Cli.Commands;

/// <summary><c>loralab eval --model DIR [--adapter DIR] --data FILE.jsonl [--json]</c>: token-weighted loss and perplexity.</summary>
static class EvalCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var adapter = CommonOptions.Adapter();
        var data = new Option<string>("--data") { Description = "JSONL file, one {\"text\": \"...\"} per line.", Required = true };
        var json = CommonOptions.Json();
        var device = CommonOptions.Device();
        var command = new Command("eval", "Mean next-token cross-entropy and perplexity on a dataset.") { model, adapter, data, json, device };
        command.SetAction(parse =>
        {
            var texts = TextJsonl.Read(parse.GetValue(data)!);
            using var lm = LanguageModel.Open(parse.GetValue(model)!, ComputeDevice.Select(parse.GetValue(device)!), parse.GetValue(adapter));
            var sequences = texts.Select(t => lm.Tokenizer.Encode(t)).ToList();
            using var progress = new ConsoleProgress("eval", sequences.Count, enabled: !parse.GetValue(json));
            var result = PerplexityEvaluator.Evaluate(lm.Network, sequences, sequencesDone: progress,
                forward: lm.Logits);
            progress.Finish();
            if (parse.GetValue(json)) JsonOutput.Print(new { loss = result.Loss, perplexity = result.Perplexity, tokens = result.Tokens });
            else Console.WriteLine($"loss {result.Loss:F4}  perplexity {result.Perplexity:F3}  over {result.Tokens} predicted tokens in {result.Sequences} records");
        });
        return command;
    }
}
