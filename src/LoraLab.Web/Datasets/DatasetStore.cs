using System.Globalization;
using System.Linq.Expressions;
using System.Text.Json.Nodes;
using LoraLab.Engine.Data;
using LoraLab.Engine.Evaluation.Benchmarks;
using LoraLab.Web.Accounts;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Datasets;

/// <summary>A dataset's file, opened for reading by someone allowed to.</summary>
public sealed record DatasetFile(DatasetSummary Dataset, Stream Content);

/// <summary>
/// Dataset files in {DataPath}/datasets: stored from an upload stream, listed, and deleted with their file. A dataset
/// is private: only its owner and admins see it, except shared ones (the bundled demo), which everyone reads.
/// </summary>
public sealed class DatasetStore(
    IDbContextFactory<LoraLabDbContext> dbFactory, DataFolder data, IOptions<LoraLabOptions> options, Quotas quotas, TimeProvider clock)
{
    public static readonly IReadOnlyList<string> Formats = ["jsonl", "json", "csv"];

    public const int MaxNameLength = 200;

    /// <summary>Runs in these states still need their dataset's file.</summary>
    static readonly RunStatus[] NeedingData = [RunStatus.Queued, RunStatus.Running, RunStatus.Interrupted];

    public long MaxUploadBytes => options.Value.MaxDatasetUploadBytes;

    DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>The datasets <paramref name="caller"/> may read, newest first.</summary>
    public async Task<IReadOnlyList<DatasetSummary>> ListAsync(Caller caller, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        return (await db.Datasets.AsNoTracking().Include(d => d.OwnerUser).Where(ReadableBy(caller))
            .OrderByDescending(d => d.Id).ToListAsync(cancellation)).Select(ToSummary).ToList();
    }

    /// <summary>The dataset, or NotFound, or Forbidden when it is another user's private dataset.</summary>
    public async Task<Result<DatasetSummary>> FindAsync(int datasetId, Caller caller, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var dataset = await db.Datasets.AsNoTracking().Include(d => d.OwnerUser).FirstOrDefaultAsync(d => d.Id == datasetId, cancellation);
        if (dataset is null) return Failure.NotFound("Dataset", datasetId);
        return CanRead(caller, dataset) ? ToSummary(dataset) : Private(datasetId);
    }

    /// <summary>Opens the dataset's file for a download, and records the download in the audit log.</summary>
    public async Task<Result<DatasetFile>> OpenFileAsync(int datasetId, Caller caller, CancellationToken cancellation = default)
    {
        var found = await FindAsync(datasetId, caller, cancellation);
        if (found.Failure is { } failure) return failure;
        var dataset = found.Value!;
        if (!File.Exists(dataset.FilePath))
            return new Failure(FailureKind.NotFound, "Dataset file not found", $"The file of dataset {datasetId} ('{dataset.Name}') is missing: {dataset.FilePath}.");
        var content = new FileStream(dataset.FilePath, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, FileOptions.Asynchronous);
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        db.AuditEntries.Add(AuditLog.Entry(caller, AuditAction.DatasetDownloaded, Subject(dataset.Id, dataset.Name), Now));
        await db.SaveChangesAsync(cancellation);
        return new DatasetFile(dataset, content);
    }

    /// <summary>
    /// Streams <paramref name="content"/> to disk and, once it is known to be a readable dataset, registers it under
    /// <paramref name="name"/> (the file name without extension when null) as datasets/{id}-{file name}, owned by
    /// <paramref name="caller"/>. The client's file name is sanitised (<see cref="UploadFileName"/>) and never chooses
    /// the path. Refuses other extensions than .jsonl, .json and .csv, an empty file, a file larger than
    /// LoraLab:MaxDatasetUploadBytes or than what is left of the caller's storage quota, and a file none of whose
    /// records the engine can read; a refused upload leaves nothing behind. With <paramref name="benchmark"/> (one of
    /// <see cref="BenchmarkFormat.Names"/>) the file is a multiple-choice benchmark: a .jsonl file every line of which
    /// poses a question in that format.
    /// </summary>
    public async Task<Result<DatasetSummary>> AddAsync(
        string fileName, string? name, Stream content, Caller caller, bool shared = false, string? benchmark = null, CancellationToken cancellation = default)
    {
        fileName = UploadFileName.Sanitize(fileName, "dataset");
        string format = Path.GetExtension(fileName).TrimStart('.').ToLowerInvariant();
        if (!Formats.Contains(format))
            return Failure.InvalidField("file", $"'{fileName}' is not a dataset file: use a .jsonl, .json or .csv file.");
        if (benchmark is not null && !BenchmarkFormat.Names.Contains(benchmark))
            return Failure.InvalidField("benchmark", $"'{benchmark}' is not a benchmark format: use one of {string.Join(", ", BenchmarkFormat.Names)}.");
        if (benchmark is not null && format != "jsonl")
            return Failure.InvalidField("file", $"'{fileName}' is not a .jsonl file: a benchmark has one question per line, as lm-evaluation-harness's task files.");
        name = string.IsNullOrWhiteSpace(name) ? Path.GetFileNameWithoutExtension(fileName) : name.Trim();
        if (name.Length > MaxNameLength) return Failure.InvalidField("name", $"The name has {name.Length} characters; at most {MaxNameLength} are allowed.");

        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        long? storageLeft = await quotas.StorageLeftAsync(db, caller.UserId, cancellation);
        if (storageLeft == 0) return await StorageFullAsync(db, caller, cancellation);

        Directory.CreateDirectory(data.Datasets);
        string upload = Path.Combine(data.Datasets, $".upload-{Guid.NewGuid():N}.part");
        try
        {
            long size = await DataFiles.CopyWithLimitAsync(content, upload, Math.Min(MaxUploadBytes, storageLeft ?? long.MaxValue), cancellation);
            if (size > storageLeft && storageLeft < MaxUploadBytes) return await StorageFullAsync(db, caller, cancellation);
            if (size > MaxUploadBytes)
                return new Failure(FailureKind.TooLarge, "The dataset is too large",
                    $"'{fileName}' is larger than the {MaxUploadBytes:N0} bytes a dataset upload may have (setting LoraLab:MaxDatasetUploadBytes).");
            if (size == 0) return Failure.InvalidField("file", $"'{fileName}' is empty.");

            var read = benchmark is null ? await ReadRecordsAsync(upload, format, fileName, cancellation)
                : await ReadQuestionsAsync(upload, benchmark, fileName, cancellation);
            if (read.Failure is { } unreadable) return unreadable;
            var dataset = new Dataset
            {
                Name = name, Format = format, Benchmark = benchmark, FilePath = upload, SizeBytes = size, RecordCount = read.Value!, CreatedAt = Now,
                Owner = caller.UserId, Shared = shared,
            };
            return await RegisterAsync(db, dataset, fileName, caller, cancellation);
        }
        finally
        {
            // Registering moves the upload into place; anything still here was refused or interrupted.
            DataFiles.Delete(upload);
        }
    }

    /// <summary>The engine's own reader decides whether the upload is a dataset, and how many records it has; its message names the file as the user sent it.</summary>
    static Task<Result<int>> ReadRecordsAsync(string upload, string format, string fileName, CancellationToken cancellation) =>
        ReadAsync(() => DatasetReader.Read(upload, new DatasetReadOptions(FileType: DatasetFileTypeNames.Parse(format))).RecordsRead,
            upload, fileName, "The file is not a usable dataset", cancellation);

    /// <summary>The benchmark reader poses every line as a question of <paramref name="benchmark"/>, or names each line it cannot.</summary>
    static Task<Result<int>> ReadQuestionsAsync(string upload, string benchmark, string fileName, CancellationToken cancellation) =>
        ReadAsync(() => BenchmarkFormat.Read(upload, benchmark).Count, upload, fileName, $"The file is not a benchmark in the {benchmark} format", cancellation);

    static async Task<Result<int>> ReadAsync(Func<int> count, string upload, string fileName, string title, CancellationToken cancellation)
    {
        try
        {
            // Parsing a large file is CPU work: keep it off the request's (or the circuit's) thread.
            return await Task.Run(count, cancellation);
        }
        catch (InvalidDataException e)
        {
            string reason = e.Message.Replace(upload, $"'{fileName}'", StringComparison.Ordinal);
            return Failure.Invalid(title, new Dictionary<string, string[]> { ["file"] = [reason] });
        }
    }

    /// <summary>Records <paramref name="dataset"/>, whose file is still the upload, then moves the file to the name its new id gives.</summary>
    async Task<Result<DatasetSummary>> RegisterAsync(LoraLabDbContext db, Dataset dataset, string fileName, Caller caller, CancellationToken cancellation)
    {
        string upload = dataset.FilePath;
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
        db.AuditEntries.Add(AuditLog.Entry(caller, AuditAction.DatasetUploaded, Subject(dataset.Id, dataset.Name), Now));
        await db.SaveChangesAsync(CancellationToken.None);
        await db.Entry(dataset).Reference(d => d.OwnerUser).LoadAsync(CancellationToken.None);
        return ToSummary(dataset);
    }

    /// <summary>Deletes the record and its file, unless a queued, running or interrupted run still needs it. Owners and admins only.</summary>
    public async Task<Result<DatasetSummary>> DeleteAsync(int datasetId, Caller caller, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var dataset = await db.Datasets.Include(d => d.OwnerUser).FirstOrDefaultAsync(d => d.Id == datasetId, cancellation);
        if (dataset is null) return Failure.NotFound("Dataset", datasetId);
        if (!CanRead(caller, dataset)) return Private(datasetId);
        if (!caller.CanChange(dataset.Owner))
            return Failure.Forbidden("The dataset is not yours", $"Dataset {datasetId} ('{dataset.Name}') belongs to '{dataset.OwnerUser.UserName}'; only they and admins can delete it.");
        var users = await db.Runs.Where(r => r.DatasetId == datasetId && NeedingData.Contains(r.Status))
            .OrderBy(r => r.Id).Select(r => r.Id).ToListAsync(cancellation);
        if (users.Count > 0)
            return Failure.Conflict("The dataset is in use",
                $"Dataset {datasetId} ('{dataset.Name}') is needed by run(s) {string.Join(", ", users)}, queued, running or interrupted; cancel them first.");
        db.Datasets.Remove(dataset);
        db.AuditEntries.Add(AuditLog.Entry(caller, AuditAction.DatasetDeleted, Subject(dataset.Id, dataset.Name), Now));
        await db.SaveChangesAsync(cancellation);
        DataFiles.Delete(dataset.FilePath);
        return ToSummary(dataset);
    }

    /// <summary>Admins read every dataset; members their own and the shared ones.</summary>
    public static bool CanRead(Caller caller, Dataset dataset) => caller.IsAdmin || dataset.Shared || dataset.Owner == caller.UserId;

    static Expression<Func<Dataset, bool>> ReadableBy(Caller caller) =>
        d => caller.IsAdmin || d.Shared || d.Owner == caller.UserId;

    static Failure Private(int datasetId) =>
        Failure.Forbidden("The dataset is private", $"Dataset {datasetId} belongs to another user; only they and admins can read it.");

    async Task<Failure> StorageFullAsync(LoraLabDbContext db, Caller caller, CancellationToken cancellation)
    {
        var quota = await quotas.OfAsync(db, caller.UserId, cancellation);
        return Quotas.StorageFull(caller.UserName, await Quotas.StorageUsedAsync(db, caller.UserId, cancellation), quota.MaxStorageBytes!.Value);
    }

    static string Subject(int datasetId, string name) => $"dataset {datasetId} '{name}'";

    static DatasetSummary ToSummary(Dataset d) => new(
        d.Id, d.Name, d.Format, d.FilePath, d.SizeBytes, d.RecordCount, d.TrainRecordCount, d.EvalRecordCount,
        d.ValidationReportJson is null ? null : JsonNode.Parse(d.ValidationReportJson),
        d.StatisticsJson is null ? null : JsonNode.Parse(d.StatisticsJson), d.CreatedAt,
        d.Owner, d.OwnerUser.UserName ?? d.Owner, d.Shared, d.Benchmark);
}
