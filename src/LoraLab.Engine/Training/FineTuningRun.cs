using System.Text.Json;
using System.Text.Json.Nodes;
using LoraLab.Engine.Data;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Methods;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Training;

/// <summary>Everything one fine-tuning run needs; saved, resolved, as <c>run_config.json</c> beside its output.</summary>
public sealed record FineTuningRequest(
    string ModelDirectory, string TrainData, string? EvalData, MethodOptions Method, TrainingOptions Training, DataOptions Data,
    string OutputDirectory, string? ResumeFrom = null);

/// <summary>What a run reports before its first step, for the user to check.</summary>
public sealed record RunPreparation(DatasetReport Report, DatasetStatistics Statistics, int TrainExamples, int EvalExamples,
    long TrainableParameters, long TotalParameters, double TrainablePercent, long TotalSteps);

/// <summary>
/// A whole fine-tuning run from files: the dataset pipeline, the base model, the method and the trainer, wired once
/// for the command line and the studio alike.
/// </summary>
public static class FineTuningRun
{
    public const string ConfigFile = "run_config.json";

    public static TrainingResult Run(FineTuningRequest request, ComputeDevice device, IProgress<TrainingEvent>? progress = null,
        Action<RunPreparation>? prepared = null, CancellationToken cancellation = default)
    {
        request.Method.Validate();
        request.Training.Validate();
        request.Data.Validate();
        if (MethodRegistry.Find(request.Method.Method) is { TrainsBaseWeights: true } && request.Training.Precision != ComputePrecision.Float32)
            throw new TrainingConfigException($"precision {request.Training.Precision.ToString().ToLowerInvariant()} keeps the base weights in half precision, but {request.Method.Method} fine-tuning trains them: use float32.");
        var tokenizer = TokenizerLoader.Load(request.ModelDirectory);
        var template = ChatTemplate.Detect(request.ModelDirectory) ?? ChatTemplate.FromName(request.Data.ChatTemplate);
        var (train, eval, report, statistics) = PrepareData(request, tokenizer, template);

        // bf16/fp16 runs keep the frozen base in that dtype; adapters and optimizer state stay float32.
        var compute = device with { ComputeDType = request.Training.Precision == ComputePrecision.Float32 ? device.ComputeDType : request.Training.Precision.DType() };
        using var lm = PretrainedModel.Load(request.ModelDirectory, compute);
        var method = PeftMethodFactory.Create(request.Method, lm.Config, tokenizer, request.Training.Seed, Path.GetFileName(Path.TrimEndingDirectorySeparator(request.ModelDirectory)));
        method.Attach(lm);

        int padId = tokenizer.PadId ?? tokenizer.EosIds.FirstOrDefault();
        var trainBatches = new TrainingBatcher(train, request.Training.BatchSize, (ulong)request.Training.Seed, padId, lm.Device);
        var evalBatches = eval.Count == 0 ? null : new TrainingBatcher(eval, request.Training.BatchSize, (ulong)request.Training.Seed, padId, lm.Device);
        var (trainable, total, percent) = PeftMethod.Count(lm, method);
        prepared?.Invoke(new RunPreparation(report, statistics, train.Count, eval.Count, trainable, total, percent,
            Trainer.TotalSteps(request.Training, trainBatches.BatchesPerEpoch)));

        Directory.CreateDirectory(request.OutputDirectory);
        File.WriteAllText(Path.Combine(request.OutputDirectory, ConfigFile), Describe(request).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        using var tensorBoard = new TensorBoardLog(Path.Combine(request.OutputDirectory, TensorBoardLog.FolderName), progress);
        return Trainer.Run(lm, method, trainBatches, evalBatches, request.Training, request.OutputDirectory, request.ResumeFrom, tensorBoard, cancellation);
    }

    static (IReadOnlyList<TrainingExample> Train, IReadOnlyList<TrainingExample> Eval, DatasetReport Report, DatasetStatistics Statistics)
        PrepareData(FineTuningRequest request, ITextTokenizer tokenizer, ChatTemplate template)
    {
        var options = HeldOutRecords.PipelineOptions(request.Data, request.Training.Seed, separateEvalFile: request.EvalData is not null);
        var train = DatasetPipeline.Prepare(request.TrainData, tokenizer, template, options);
        var eval = request.EvalData is null ? train.Validation
            : DatasetPipeline.Prepare(request.EvalData, tokenizer, template, options with { Validation = null }).Train;
        return (train.Train, eval, train.Report, train.Statistics);
    }

    /// <summary>The resolved configuration, in the snake_case the studio and scripts read.</summary>
    public static JsonObject Describe(FineTuningRequest request)
    {
        var json = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
        return new JsonObject
        {
            ["model"] = Path.GetFullPath(request.ModelDirectory),
            ["train_data"] = Path.GetFullPath(request.TrainData),
            ["eval_data"] = request.EvalData is null ? null : Path.GetFullPath(request.EvalData),
            ["method"] = JsonSerializer.SerializeToNode(request.Method, json),
            ["training"] = JsonNode.Parse(request.Training.ToJson()),
            ["data"] = JsonSerializer.SerializeToNode(request.Data, json),
        };
    }
}
