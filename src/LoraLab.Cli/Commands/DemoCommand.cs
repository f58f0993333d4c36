using System.CommandLine;
using LoraLab.Engine;
using LoraLab.Engine.Demo;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Training;

namespace LoraLab.Cli.Commands;

/// <summary>
/// <c>loralab demo build --out DIR</c> reproduces the bundled demo model, datasets and adapters;
/// <c>loralab demo evaluate --model DIR [--adapter DIR] --data FILE</c> measures exact-match on a demo task.
/// </summary>
static class DemoCommand
{
    public static Command Create() => new("demo", "Build the offline demo model and measure it on the demo tasks.") { Build(), Evaluate() };

    static Command Build()
    {
        var output = new Option<string>("--out") { Description = "Folder to write model/ and datasets/ into.", Required = true };
        var steps = new Option<int?>("--steps") { Description = "Pretraining steps (default: the bundled model's recipe)." };
        var documents = new Option<int?>("--documents") { Description = "Synthetic documents to pretrain on." };
        var datasetsOnly = new Option<bool>("--datasets-only") { Description = "Only write the task datasets into DIR/datasets." };
        var adaptersOnly = new Option<bool>("--adapters-only") { Description = "Keep DIR/model: write the task datasets and train the task adapters." };
        var json = CommonOptions.Json();
        var device = CommonOptions.Device();
        var command = new Command("build",
            "Train the demo tokenizer and base model from the synthetic corpus, write the demo datasets, and train one LoRA adapter per task with the default settings.")
        {
            output, steps, documents, datasetsOnly, adaptersOnly, json, device,
        };
        command.SetAction((parse, cancellation) =>
        {
            var defaults = new DemoBuildOptions { OutputDirectory = parse.GetValue(output)! };
            var options = defaults with
            {
                Steps = parse.GetValue(steps) ?? defaults.Steps,
                Documents = parse.GetValue(documents) ?? defaults.Documents,
            };
            string datasets = Path.Combine(options.OutputDirectory, "datasets");
            if (parse.GetValue(datasetsOnly))
            {
                DemoModelBuilder.WriteTaskDatasets(options, datasets);
                return Task.FromResult(0);
            }
            bool asJson = parse.GetValue(json);
            var computeDevice = ComputeDevice.Select(parse.GetValue(device)!);
            using var reporter = new TrainingReporter(asJson);
            IReadOnlyList<DemoTaskFigures>? figures;
            if (parse.GetValue(adaptersOnly))
            {
                DemoModelBuilder.WriteTaskDatasets(options, datasets);
                figures = DemoTaskAdapters.TrainAll(options.OutputDirectory, computeDevice, reporter, cancellation);
            }
            else
            {
                var result = DemoModelBuilder.Build(options, computeDevice, reporter, cancellation);
                reporter.Finish(result.Pretraining);
                figures = result.Tasks;
            }
            if (figures is null) return Task.FromResult(130);
            PrintFigures(figures, asJson);
            return Task.FromResult(0);
        });
        return command;
    }

    static void PrintFigures(IReadOnlyList<DemoTaskFigures> figures, bool json)
    {
        foreach (var f in figures)
        {
            if (json)
                JsonOutput.Print(new
                {
                    @event = "demo_task", task = f.Task, base_exact_match = f.Base.Accuracy, adapter_exact_match = f.Adapted.Accuracy,
                    training_seconds = f.TrainingTime.TotalSeconds, steps = f.Steps,
                });
            else
                Console.WriteLine($"{f.Task}: base {f.Base.Accuracy:P0}, with the adapter {f.Adapted.Accuracy:P0} ({f.Adapted.Correct}/{f.Adapted.Total}); " +
                                  $"adapter trained in {f.TrainingTime.TotalSeconds:F0} s ({f.Steps} steps)");
        }
    }

    static Command Evaluate()
    {
        var model = CommonOptions.Model();
        var adapter = CommonOptions.Adapter();
        var data = new Option<string>("--data") { Description = "A demo task file (alpaca JSONL with instruction, input, output).", Required = true };
        var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N examples." };
        var json = CommonOptions.Json();
        var device = CommonOptions.Device();
        var command = new Command("evaluate", "Exact-match accuracy of greedy answers on a demo task file.") { model, adapter, data, limit, json, device };
        command.SetAction(parse =>
        {
            var examples = DemoTaskFile.Read(parse.GetValue(data)!);
            if (parse.GetValue(limit) is { } n) examples = examples.Take(n).ToList();
            using var lm = LanguageModel.Open(parse.GetValue(model)!, ComputeDevice.Select(parse.GetValue(device)!), parse.GetValue(adapter));
            var result = ExactMatch.Evaluate(lm, examples);
            if (parse.GetValue(json)) JsonOutput.Print(new { exact_match = result.Accuracy, correct = result.Correct, total = result.Total });
            else
            {
                foreach (var (e, answer) in examples.Zip(result.Outputs).Take(5))
                    Console.WriteLine($"{e.Input}\n  expected: {e.Output}\n  answered: {answer}");
                Console.WriteLine($"exact match {result.Correct}/{result.Total} = {result.Accuracy:P1}");
            }
        });
        return command;
    }
}
