using System.CommandLine;
using LoraLab.Engine.Models;
using LoraLab.Engine.Training;

namespace LoraLab.Cli.Commands;

/// <summary><c>loralab estimate-memory [--model DIR | shape flags] --method M … [--json]</c>: the peak memory breakdown of a run.</summary>
static class EstimateMemoryCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "A model folder whose config.json gives the shape (otherwise the shape flags, default SmolLM2-135M)." };
        var shape = new ModelShapeOptions();
        var method = new MethodFlags();
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => 4 };
        var sequence = new Option<int>("--sequence-length") { DefaultValueFactory = _ => 256 };
        var precision = new Option<ComputePrecision>("--precision") { DefaultValueFactory = _ => ComputePrecision.Float32 };
        var checkpointing = new Option<bool>("--gradient-checkpointing");
        var json = CommonOptions.Json();
        var command = new Command("estimate-memory", "Weights, adapter, gradients, optimizer state, activations and total memory of a training run, before launching it.")
        {
            model, batch, sequence, precision, checkpointing, json,
        };
        shape.AddTo(command);
        method.AddTo(command);
        command.SetAction(parse =>
        {
            var config = parse.GetValue(model) is { } dir ? ModelConfig.Load(dir) : shape.Read(parse, Engine.Generation.GenerationBenchmarkOptions.SmolLM2_135M);
            var training = new TrainingOptions { BatchSize = parse.GetValue(batch), Precision = parse.GetValue(precision), GradientCheckpointing = parse.GetValue(checkpointing) };
            var methodOptions = method.Read(parse);
            InvalidSettingsException.ThrowIfAny(methodOptions, training);
            var e = MemoryEstimator.Estimate(config, methodOptions, training, parse.GetValue(sequence));
            if (parse.GetValue(json))
                JsonOutput.Print(new { weights = e.Weights, adapter = e.Adapter, gradients = e.Gradients, optimizer_state = e.OptimizerState, activations = e.Activations, allocator_slack = e.AllocatorSlack, runtime = e.Runtime, total = e.Total });
            else
                foreach (var (name, bytes) in new[] { ("weights", e.Weights), ("adapter", e.Adapter), ("gradients", e.Gradients), ("optimizer state", e.OptimizerState),
                             ("activations", e.Activations), ("allocator slack", e.AllocatorSlack), ("runtime", e.Runtime), ("total", e.Total) })
                    Console.WriteLine($"{name,-16} {bytes / (1024.0 * 1024):N1} MiB");
        });
        return command;
    }
}
