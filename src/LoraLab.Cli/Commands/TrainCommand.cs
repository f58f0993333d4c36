using System.CommandLine;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Training;

namespace LoraLab.Cli.Commands;

/// <summary>
/// <c>loralab train --model DIR --data FILE [--eval-data FILE] --method M … --out DIR [--resume DIR] [--config FILE] [--json]</c>:
/// fine-tunes, checkpoints, and writes the adapter (PEFT layout) to DIR/adapter.
/// </summary>
static class TrainCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var data = new Option<string>("--data") { Description = "Training data: JSONL, JSON or CSV (alpaca, chat, sharegpt, prompt/completion or text).", Required = true };
        var evalData = new Option<string?>("--eval-data") { Description = "Evaluation data (otherwise --validation-fraction of --data is held out)." };
        var output = new Option<string>("--out") { Description = "Output folder: checkpoints, run_config.json and adapter/.", Required = true };
        var resume = new Option<string?>("--resume") { Description = "A checkpoint folder of an earlier run to continue from." };
        var config = new Option<string?>("--config") { Description = "A run_config.json whose method, training and data sections replace those flags." };
        var json = CommonOptions.Json();
        var device = CommonOptions.Device();
        var method = new MethodFlags();
        var training = new TrainingFlags();
        var command = new Command("train", "Fine-tune a model with a parameter-efficient method.") { model, data, evalData, output, resume, config, json, device };
        method.AddTo(command);
        training.AddTo(command);
        command.SetAction((parse, cancellation) =>
        {
            var (methodOptions, trainingOptions, dataOptions) = parse.GetValue(config) is { } file
                ? RunConfigFile.Read(file)
                : (method.Read(parse), training.Read(parse), training.ReadData(parse));
            InvalidSettingsException.ThrowIfAny(methodOptions, trainingOptions, dataOptions);
            var request = new FineTuningRequest(parse.GetValue(model)!, parse.GetValue(data)!, parse.GetValue(evalData), methodOptions,
                trainingOptions, dataOptions, parse.GetValue(output)!, parse.GetValue(resume));
            using var reporter = new TrainingReporter(parse.GetValue(json));
            var result = FineTuningRun.Run(request, ComputeDevice.Select(parse.GetValue(device)!), reporter, reporter.Preparation, cancellation);
            reporter.Finish(result);
            return Task.FromResult(result.Status == TrainingStatus.Cancelled ? 130 : 0);
        });
        return command;
    }
}
