using LoraLab.Web.Datasets;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace LoraLab.Web.Apis;

public static class DatasetsApi
{
    public static IEndpointRouteBuilder MapDatasetsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup($"{ApiProblems.Prefix}/datasets").WithTags("Datasets");
        api.MapGet("/", ListDatasets);
        api.MapPost("/", UploadDataset);
        api.MapGet("/{datasetId:int}", GetDataset);
        api.MapDelete("/{datasetId:int}", DeleteDataset);
        return app;
    }

    static async Task<Ok<IReadOnlyList<DatasetSummary>>> ListDatasets(DatasetStore datasets, CancellationToken cancellation) =>
        TypedResults.Ok(await datasets.ListAsync(cancellation));

    static async Task<Results<Ok<DatasetSummary>, ProblemHttpResult>> GetDataset(int datasetId, DatasetStore datasets, CancellationToken cancellation) =>
        await datasets.FindAsync(datasetId, cancellation) is { } dataset ? TypedResults.Ok(dataset) : ApiProblems.NotFound("Dataset", datasetId);

    static async Task<Results<Ok<DatasetSummary>, ProblemHttpResult>> DeleteDataset(int datasetId, DatasetStore datasets, CancellationToken cancellation)
    {
        var deleted = await datasets.DeleteAsync(datasetId, cancellation);
        return deleted.Failure is { } failure ? failure.ToProblem() : TypedResults.Ok(deleted.Value!);
    }

    /// <summary>
    /// multipart/form-data with a "file" part and an optional "name" field before it. The file part is streamed to
    /// disk as it arrives, never buffered whole, and cut off at LoraLab:MaxDatasetUploadBytes.
    /// </summary>
    static async Task<Results<Created<DatasetSummary>, ProblemHttpResult>> UploadDataset(HttpRequest request, DatasetStore datasets, CancellationToken cancellation)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 } boundary)
            return Invalid("file", "Upload the dataset as multipart/form-data with the file in a part named \"file\".");

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
            bodyLimit.MaxRequestBodySize = datasets.MaxUploadBytes + 1024 * 1024; // the file plus the multipart framing

        // The file part is limited by the store as it streams; the request as a whole by the body size limit above.
        var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = null };
        string? name = null;
        while (await reader.ReadNextSectionAsync(cancellation) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)) continue;
            if (disposition.IsFileDisposition())
            {
                string fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "";
                var added = await datasets.AddAsync(fileName, name, section.Body, cancellation);
                return added.Failure is { } failure
                    ? failure.ToProblem()
                    : TypedResults.Created($"{ApiProblems.Prefix}/datasets/{added.Value!.Id}", added.Value);
            }
            if (HeaderUtilities.RemoveQuotes(disposition.Name).Equals("name"))
            {
                name = await ReadAtMostAsync(section.Body, DatasetStore.MaxNameLength + 1, cancellation);
                if (name.Length > DatasetStore.MaxNameLength)
                    return Invalid("name", $"The name has more than {DatasetStore.MaxNameLength} characters; at most {DatasetStore.MaxNameLength} are allowed.");
            }
        }
        return Invalid("file", "The upload has no file part: send the dataset in a part named \"file\".");
    }

    /// <summary>A form field's text, cut at <paramref name="maxChars"/> so a huge field is never held in memory.</summary>
    static async Task<string> ReadAtMostAsync(Stream body, int maxChars, CancellationToken cancellation)
    {
        using var reader = new StreamReader(body);
        var buffer = new char[maxChars];
        int total = 0, read;
        while (total < maxChars && (read = await reader.ReadAsync(buffer.AsMemory(total), cancellation)) > 0) total += read;
        return new string(buffer, 0, total);
    }

    static ProblemHttpResult Invalid(string field, string message) => Failure.InvalidField(field, message).ToProblem();
}
