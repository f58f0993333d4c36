using System.Text.Json;
using System.Text.Json.Serialization;
using LoraLab.Engine.Data;
using LoraLab.Engine.Tokenization;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Models;
using Microsoft.EntityFrameworkCore;

namespace LoraLab.Web.Datasets;

/// <summary>
/// Checks a dataset with the engine's pipeline, using a base model's tokenizer and chat template (its own, or chatml),
/// and stores the validation report and statistics on the dataset. Without a model only the records' fields are checked.
/// </summary>
public sealed class DatasetInspector(IDbContextFactory<LoraLabDbContext> dbFactory, ModelRegistry models)
{
    public const int DefaultMaxLength = 1024;
    public const int PreviewCount = 5;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>
    /// Validates dataset <paramref name="datasetId"/> with model <paramref name="modelId"/> (or fields only when null) at
    /// <paramref name="maxLength"/> tokens (the model's context length when smaller), and stores the result on the dataset.
    /// </summary>
    public async Task<Result<DatasetInspection>> InspectAsync(int datasetId, int? modelId, int maxLength = DefaultMaxLength, CancellationToken cancellation = default)
    {
        if (maxLength < 2) return Failure.InvalidField("maxLength", $"The maximum length must be at least 2 tokens, got {maxLength}.");
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var dataset = await db.Datasets.FirstOrDefaultAsync(d => d.Id == datasetId, cancellation);
        if (dataset is null) return Failure.NotFound("Dataset", datasetId);
        if (dataset.Benchmark is { } benchmark) return IsBenchmark(dataset, benchmark);
        if (!File.Exists(dataset.FilePath))
            return Failure.Conflict("The dataset file is missing", $"The file of dataset {datasetId} ('{dataset.Name}') is missing: {dataset.FilePath}.");

        RegisteredModel? model = null;
        if (modelId is { } id)
        {
            var found = await UsableModelAsync(id, cancellation);
            if (found.Failure is { } failure) return failure;
            model = found.Value!;
            maxLength = Math.Min(maxLength, model.Config!.MaxPositionEmbeddings);
        }

        DatasetInspection inspection;
        try
        {
            // Tokenizing a whole file is CPU work: keep it off the circuit's synchronisation context.
            inspection = await Task.Run(() => model is null ? CheckFields(dataset.FilePath) : Check(dataset.FilePath, model, maxLength), cancellation);
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or IOException or InvalidOperationException)
        {
            return new Failure(FailureKind.Invalid, "The dataset cannot be used", e.Message);
        }

        var report = inspection.Validation.Report;
        dataset.RecordCount = report.RecordsRead;
        dataset.TrainRecordCount = report.Kept;
        dataset.ValidationReportJson = JsonSerializer.Serialize(inspection.Validation, Json);
        dataset.StatisticsJson = inspection.Statistics is null ? null : JsonSerializer.Serialize(inspection.Statistics, Json);
        await db.SaveChangesAsync(CancellationToken.None);
        return inspection;
    }

    /// <summary>
    /// The first <see cref="PreviewCount"/> usable records of the dataset as model <paramref name="modelId"/> would be
    /// trained on them: cheap, since only those records are tokenized.
    /// </summary>
    public async Task<Result<IReadOnlyList<PreviewExample>>> PreviewAsync(int datasetId, int modelId, int maxLength = DefaultMaxLength, CancellationToken cancellation = default)
    {
        if (maxLength < 2) return Failure.InvalidField("maxLength", $"The maximum length must be at least 2 tokens, got {maxLength}.");
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var dataset = await db.Datasets.AsNoTracking().FirstOrDefaultAsync(d => d.Id == datasetId, cancellation);
        if (dataset is null) return Failure.NotFound("Dataset", datasetId);
        if (dataset.Benchmark is { } benchmark) return IsBenchmark(dataset, benchmark);
        var found = await UsableModelAsync(modelId, cancellation);
        if (found.Failure is { } failure) return failure;
        var model = found.Value!;
        try
        {
            return await Task.Run(() =>
            {
                var (tokenizer, template) = TokenizerAndTemplate(model);
                return Preview(dataset.FilePath, tokenizer, template, Math.Min(maxLength, model.Config!.MaxPositionEmbeddings));
            }, cancellation);
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or IOException or InvalidOperationException)
        {
            return new Failure(FailureKind.Invalid, "The dataset cannot be previewed", e.Message);
        }
    }

    /// <summary>The validation stored by the last inspection of the dataset, or null before one.</summary>
    public static DatasetValidation? StoredValidation(DatasetSummary dataset) => dataset.ValidationReport?.Deserialize<DatasetValidation>(Json);

    /// <summary>The statistics stored by the last inspection with a model, or null.</summary>
    public static DatasetStatistics? StoredStatistics(DatasetSummary dataset) => dataset.Statistics?.Deserialize<DatasetStatistics>(Json);

    async Task<Result<RegisteredModel>> UsableModelAsync(int modelId, CancellationToken cancellation)
    {
        var model = await models.FindAsync(modelId, cancellation);
        if (model is null) return Failure.NotFound("Model", modelId);
        if (model.Config is null) return Failure.InvalidField("modelId", $"Model '{model.Name}' cannot be used: {model.Error}");
        return model;
    }

    static DatasetInspection CheckFields(string path)
    {
        var parsed = DatasetReader.Read(path);
        var report = new DatasetReport(path, parsed.FileType, parsed.Format, parsed.RecordsRead, parsed.Records.Count, 0, parsed.Issues);
        return new DatasetInspection(new DatasetValidation(null, null, null, report), null, []);
    }

    static DatasetInspection Check(string path, RegisteredModel model, int maxLength)
    {
        var (tokenizer, template) = TokenizerAndTemplate(model);
        var prepared = DatasetPipeline.Prepare(path, tokenizer, template, new DatasetPipelineOptions(new EncodingOptions(maxLength)));
        var validation = new DatasetValidation(model.Name, template.Name, maxLength, prepared.Report);
        return new DatasetInspection(validation, prepared.Statistics, Preview(path, tokenizer, template, maxLength));
    }

    static List<PreviewExample> Preview(string path, ITextTokenizer tokenizer, ChatTemplate template, int maxLength)
    {
        var encoder = new ExampleEncoder(tokenizer, template, new EncodingOptions(maxLength));
        var preview = new List<PreviewExample>();
        foreach (var record in DatasetReader.Read(path).Records)
        {
            if (preview.Count == PreviewCount) break;
            if (encoder.Encode(record, out _) is { } example) preview.Add(Segments(example, tokenizer));
        }
        return preview;
    }

    /// <summary>The model's tokenizer, and its own chat template or chatml when it has none the engine knows.</summary>
    static (ITextTokenizer, ChatTemplate) TokenizerAndTemplate(RegisteredModel model) =>
        (TokenizerLoader.Load(model.Folder), ChatTemplate.Detect(model.Folder) ?? ChatTemplate.FromName("chatml"));

    /// <summary>Splits the example where the completion mask changes and decodes each run, special tokens included.</summary>
    static PreviewExample Segments(EncodedExample example, ITextTokenizer tokenizer)
    {
        var segments = new List<PreviewSegment>();
        int start = 0;
        for (int i = 1; i <= example.Length; i++)
        {
            if (i < example.Length && example.IsCompletion[i] == example.IsCompletion[start]) continue;
            segments.Add(new PreviewSegment(tokenizer.Decode(example.Ids[start..i], skipSpecialTokens: false), example.IsCompletion[start]));
            start = i;
        }
        return new PreviewExample(example.Line, example.Length, example.CompletionTokens, example.Truncated, segments);
    }

    /// <summary>A benchmark's questions were read whole when it was uploaded; it holds no records to train on to validate or preview.</summary>
    static Failure IsBenchmark(Dataset dataset, string benchmark) => Failure.Conflict("The dataset is a benchmark",
        $"Dataset {dataset.Id} ('{dataset.Name}') is a multiple-choice benchmark ({benchmark}): its questions were checked when it was uploaded, and it holds no records to train on.");
}
