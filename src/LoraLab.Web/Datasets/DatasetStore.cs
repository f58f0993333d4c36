using System.Globalization;
using System.Text.Json.Nodes;
using LoraLab.Engine.Data;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Datasets;

/// <summary>Dataset files in {DataPath}/datasets: stored from an upload stream, listed, and deleted with their file.</summary>
public sealed class DatasetStore(IDbContextFactory<LoraLabDbContext> dbFactory, DataFolder data, IOptions<LoraLabOptions> options, TimeProvider clock)
{
    public static readonly IReadOnlyList<string> Formats = ["jsonl", "json", "csv"];

    public const int MaxNameLength = 200;

    /// <summary>Runs in these states still need their dataset's file.</summary>
    static readonly RunStatus[] NeedingData = [RunStatus.Queued, RunStatus.Running, RunStatus.Interrupted];

    public long MaxUploadBytes => options.Value.MaxDatasetUploadBytes;

    public async Task<IReadOnlyList<DatasetSummary>> ListAsync(CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        return (await db.Datasets.AsNoTracking().OrderByDescending(d => d.Id).ToListAsync(cancellation)).Select(ToSummary).ToList();
    }

    public async Task<DatasetSummary?> FindAsync(int datasetId, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        return await db.Datasets.AsNoTracking().FirstOrDefaultAsync(d => d.Id == datasetId, cancellation) is { } d ? ToSummary(d) : null;
    }

    /// <summary>
    /// Streams <paramref name="content"/> to disk and, once it is known to be a readable dataset, registers it under
    /// <paramref name="name"/> (the file name without extension when null) as datasets/{id}-{file name}. The client's
    /// file name is sanitised (<see cref="UploadFileName"/>) and never chooses the path. Refuses other extensions than
    /// .jsonl, .json and .csv, an empty file, a file larger than LoraLab:MaxDatasetUploadBytes, and a file none of whose
    /// records the engine can read; a refused upload leaves nothing behind.
    /// </summary>
    public async Task<Result<DatasetSummary>> AddAsync(string fileName, string? name, Stream content, CancellationToken cancellation = default)
    {
        fileName = UploadFileName.Sanitize(fileName, "dataset");
        string format = Path.GetExtension(fileName).TrimStart('.').ToLowerInvariant();
        if (!Formats.Contains(format))
            return Failure.InvalidField("file", $"'{fileName}' is not a dataset file: use a .jsonl, .json or .csv file.");
        name = string.IsNullOrWhiteSpace(name) ? Path.GetFileNameWithoutExtension(fileName) : name.Trim();
        if (name.Length > MaxNameLength) return Failure.InvalidField("name", $"The name has {name.Length} characters; at most {MaxNameLength} are allowed.");

        Directory.CreateDirectory(data.Datasets);
        string upload = Path.Combine(data.Datasets, $".upload-{Guid.NewGuid():N}.part");
        try
        {
            long size = await DataFiles.CopyWithLimitAsync(content, upload, MaxUploadBytes, cancellation);
            if (size > MaxUploadBytes)
                return new Failure(FailureKind.TooLarge, "The dataset is too large",
                    $"'{fileName}' is larger than the {MaxUploadBytes:N0} bytes a dataset upload may have (setting LoraLab:MaxDatasetUploadBytes).");
            if (size == 0) return Failure.InvalidField("file", $"'{fileName}' is empty.");

            var read = await ReadRecordsAsync(upload, format, fileName, cancellation);
            if (read.Failure is { } unreadable) return unreadable;
            return await RegisterAsync(upload, fileName, name, format, size, read.Value!, cancellation);
        }
        finally
        {
            // Registering moves the upload into place; anything still here was refused or interrupted.
            DataFiles.Delete(upload);
        }
    }

    /// <summary>The engine's own reader decides whether the upload is a dataset; its message names the file as the user sent it.</summary>
    static async Task<Result<ParsedDataset>> ReadRecordsAsync(string upload, string format, string fileName, CancellationToken cancellation)
    {
        try
        {
            // Parsing a large file is CPU work: keep it off the request's (or the circuit's) thread.
            return await Task.Run(() => DatasetReader.Read(upload, new DatasetReadOptions(FileType: DatasetFileTypeNames.Parse(format))), cancellation);
        }
        catch (InvalidDataException e)
        {
            string reason = e.Message.Replace(upload, $"'{fileName}'", StringComparison.Ordinal);
            return Failure.Invalid("The file is not a usable dataset", new Dictionary<string, string[]> { ["file"] = [reason] });
        }
    }

    async Task<Result<DatasetSummary>> RegisterAsync(
        string upload, string fileName, string name, string format, long size, ParsedDataset records, CancellationToken cancellation)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var dataset = new Dataset
        {
            Name = name, Format = format, FilePath = upload, SizeBytes = size, RecordCount = records.RecordsRead, CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.Datasets.Add(dataset);
        await db.SaveChangesAsync(cancellation);
        string stored = Path.Combine(data.Datasets, $"{dataset.Id.ToString(CultureInfo.InvariantCulture)}-{fileName}");
        try
        {
            File.Move(upload, stored, overwrite: false);
        }
        catch (IOException) when (File.Exists(stored))
        {
            await db.Datasets.Where(d => d.Id == dataset.Id).ExecuteDeleteAsync(CancellationToken.None);
            return Failure.Conflict("A file is in the way",
                $"{stored} already exists and no dataset record refers to it; move it out of the data folder and upload again.");
        }
        dataset.FilePath = stored;
        await db.SaveChangesAsync(CancellationToken.None);
        return ToSummary(dataset);
    }

    /// <summary>Deletes the record and its file, unless a queued, running or interrupted run still needs it.</summary>
    public async Task<Result<DatasetSummary>> DeleteAsync(int datasetId, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var dataset = await db.Datasets.FirstOrDefaultAsync(d => d.Id == datasetId, cancellation);
        if (dataset is null) return Failure.NotFound("Dataset", datasetId);
        var users = await db.Runs.Where(r => r.DatasetId == datasetId && NeedingData.Contains(r.Status))
            .OrderBy(r => r.Id).Select(r => r.Id).ToListAsync(cancellation);
        if (users.Count > 0)
            return Failure.Conflict("The dataset is in use",
                $"Dataset {datasetId} ('{dataset.Name}') is needed by run(s) {string.Join(", ", users)}, queued, running or interrupted; cancel them first.");
        await db.Datasets.Where(d => d.Id == datasetId).ExecuteDeleteAsync(cancellation);
        DataFiles.Delete(dataset.FilePath);
        return ToSummary(dataset);
    }

    static DatasetSummary ToSummary(Dataset d) => new(
        d.Id, d.Name, d.Format, d.FilePath, d.SizeBytes, d.RecordCount, d.TrainRecordCount, d.EvalRecordCount,
        d.ValidationReportJson is null ? null : JsonNode.Parse(d.ValidationReportJson),
        d.StatisticsJson is null ? null : JsonNode.Parse(d.StatisticsJson), d.CreatedAt);
}
