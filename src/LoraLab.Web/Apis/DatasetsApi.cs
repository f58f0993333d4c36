using LoraLab.Web.Accounts;
using LoraLab.Web.Datasets;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoraLab.Web.Apis;

public static class DatasetsApi
{
    public static IEndpointRouteBuilder MapDatasetsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup($"{ApiProblems.Prefix}/datasets").WithTags("Datasets");
        api.MapGet("/", ListDatasets);
        api.MapPost("/", UploadDataset);
        api.MapGet("/{datasetId:int}", GetDataset);
        api.MapGet("/{datasetId:int}/file", DownloadDataset);
        api.MapDelete("/{datasetId:int}", DeleteDataset);
        return app;
    }

    /// <summary>The caller's datasets and the shared ones (every dataset, for admins).</summary>
    static async Task<Ok<IReadOnlyList<DatasetSummary>>> ListDatasets(DatasetStore datasets, Caller caller, CancellationToken cancellation) =>
        TypedResults.Ok(await datasets.ListAsync(caller, cancellation));

    static async Task<Results<Ok<DatasetSummary>, ProblemHttpResult>> GetDataset(int datasetId, DatasetStore datasets, Caller caller, CancellationToken cancellation)
    {
        var found = await datasets.FindAsync(datasetId, caller, cancellation);
        return found.Failure is { } failure ? failure.ToProblem() : TypedResults.Ok(found.Value!);
    }

    /// <summary>The dataset file as uploaded; every download is audited.</summary>
    static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> DownloadDataset(
        int datasetId, DatasetStore datasets, Caller caller, CancellationToken cancellation)
    {
        var opened = await datasets.OpenFileAsync(datasetId, caller, cancellation);
        if (opened.Failure is { } failure) return failure.ToProblem();
        var (dataset, content) = opened.Value!;
        return TypedResults.File(content, "application/octet-stream", $"{dataset.Name}.{dataset.Format}");
    }

    static async Task<Results<Ok<DatasetSummary>, ProblemHttpResult>> DeleteDataset(int datasetId, DatasetStore datasets, Caller caller, CancellationToken cancellation)
    {
        var deleted = await datasets.DeleteAsync(datasetId, caller, cancellation);
        return deleted.Failure is { } failure ? failure.ToProblem() : TypedResults.Ok(deleted.Value!);
    }

    /// <summary>
    /// multipart/form-data with a "file" part and optional "name" and "benchmark" (a multiple-choice benchmark's
    /// format: jsonl, arc, hellaswag, mmlu, truthfulqa_mc1) fields before it. The file part is streamed to
    /// disk as it arrives, never buffered whole, and cut off at LoraLab:MaxDatasetUploadBytes.
    /// </summary>
    static async Task<Results<Created<DatasetSummary>, ProblemHttpResult>> UploadDataset(
        HttpRequest request, DatasetStore datasets, Caller caller, CancellationToken cancellation)
    {
        var upload = await MultipartUpload.ReadAsync(request, datasets.MaxUploadBytes, new Dictionary<string, int> { ["name"] = DatasetStore.MaxNameLength, ["benchmark"] = 32 }, cancellation);
        if (upload is null) return Invalid("file", "Upload the dataset as multipart/form-data with the file in a part named \"file\".");
        if (upload.Fields.GetValueOrDefault("name") is { Length: > DatasetStore.MaxNameLength })
            return Invalid("name", $"The name has more than {DatasetStore.MaxNameLength} characters; at most {DatasetStore.MaxNameLength} are allowed.");
        if (upload.File is null) return Invalid("file", "The upload has no file part: send the dataset in a part named \"file\".");

        var added = await datasets.AddAsync(upload.FileName, upload.Fields.GetValueOrDefault("name"), upload.File, caller,
            benchmark: upload.Fields.GetValueOrDefault("benchmark") is { Length: > 0 } b ? b : null, cancellation: cancellation);
        return added.Failure is { } failure
            ? failure.ToProblem()
            : TypedResults.Created($"{ApiProblems.Prefix}/datasets/{added.Value!.Id}", added.Value);
    }

    static ProblemHttpResult Invalid(string field, string message) => Failure.InvalidField(field, message).ToProblem();
}
