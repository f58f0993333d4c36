using System.Globalization;
using System.Text.Json.Nodes;
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
    /// Streams <paramref name="content"/> to datasets/{id}-{file name} and registers it under <paramref name="name"/>
    /// (the file name without extension when null). Refuses other extensions than .jsonl, .json and .csv, an empty
    /// file, and a file larger than LoraLab:MaxDatasetUploadBytes, which is not kept.
    /// </summary>
    public async Task<Result<DatasetSummary>> AddAsync(string fileName, string? name, Stream content, CancellationToken cancellation = default)
    {
        fileName = Path.GetFileName(fileName.Trim());
        string format = Path.GetExtension(fileName).TrimStart('.').ToLowerInvariant();
        if (!Formats.Contains(format))
            return Failure.InvalidField("file", $"'{fileName}' is not a dataset file: use a .jsonl, .json or .csv file.");
        name = string.IsNullOrWhiteSpace(name) ? Path.GetFileNameWithoutExtension(fileName) : name.Trim();
        if (name.Length > 200) return Failure.InvalidField("name", $"The name has {name.Length} characters; at most 200 are allowed.");

        Directory.CreateDirectory(data.Datasets);
        string upload = Path.Combine(data.Datasets, $".upload-{Guid.NewGuid():N}.part");
        long size;
        try
        {
            size = await DataFiles.CopyWithLimitAsync(content, upload, MaxUploadBytes, cancellation);
        }
        catch
        {
            DataFiles.Delete(upload);
            throw;
        }
        if (size > MaxUploadBytes)
        {
            DataFiles.Delete(upload);
            return new Failure(FailureKind.TooLarge, "The dataset is too large",
                $"'{fileName}' is larger than the {MaxUploadBytes:N0} bytes a dataset upload may have (setting LoraLab:MaxDatasetUploadBytes).");
        }
        if (size == 0)
        {
            DataFiles.Delete(upload);
            return Failure.InvalidField("file", $"'{fileName}' is empty.");
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var dataset = new Dataset { Name = name, Format = format, FilePath = upload, SizeBytes = size, CreatedAt = clock.GetUtcNow().UtcDateTime };
        db.Datasets.Add(dataset);
        await db.SaveChangesAsync(cancellation);
        string stored = Path.Combine(data.Datasets, $"{dataset.Id.ToString(CultureInfo.InvariantCulture)}-{SafeFileName(fileName)}");
        File.Move(upload, stored);
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

    static string SafeFileName(string fileName)
    {
        var invalid = Path.GetInvalidFileNameChars();
        return new string(fileName.Select(c => invalid.Contains(c) || char.IsWhiteSpace(c) ? '_' : c).ToArray());
    }

    static DatasetSummary ToSummary(Dataset d) => new(
        d.Id, d.Name, d.Format, d.FilePath, d.SizeBytes, d.RecordCount, d.TrainRecordCount, d.EvalRecordCount,
        d.ValidationReportJson is null ? null : JsonNode.Parse(d.ValidationReportJson),
        d.StatisticsJson is null ? null : JsonNode.Parse(d.StatisticsJson), d.CreatedAt);
}
