using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace LoraLab.Web.Apis;

/// <summary>The form fields that came before an upload's file part, and that part (null when the request had none).</summary>
sealed record UploadParts(IReadOnlyDictionary<string, string> Fields, Stream? File, string FileName);

/// <summary>
/// Reads a multipart/form-data upload without holding any of it whole: the file part is handed on as a stream for the
/// store to copy and cut off at its limit, the request may be as large as that limit allows, and the form fields before
/// the file are read only when expected, each up to one character past its limit.
/// </summary>
static class MultipartUpload
{
    /// <summary>Room for the multipart framing and the small fields around the file.</summary>
    const long FramingBytes = 1024 * 1024;

    /// <summary>
    /// Reads the parts up to the file part: the fields named in <paramref name="fieldLimits"/>, each cut one character
    /// past its limit (so a longer one is known without being kept), and any other part skipped unread. Null when the
    /// request is not multipart/form-data.
    /// </summary>
    public static async Task<UploadParts?> ReadAsync(HttpRequest request, long maxFileBytes, IReadOnlyDictionary<string, int> fieldLimits, CancellationToken cancellation)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 } boundary)
            return null;

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
            bodyLimit.MaxRequestBodySize = maxFileBytes + FramingBytes;

        // The file part is limited by the store as it streams; the request as a whole by the body size limit above.
        var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = null };
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadNextSectionAsync(cancellation) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)) continue;
            if (disposition.IsFileDisposition())
            {
                string fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "";
                return new UploadParts(fields, section.Body, fileName);
            }
            if (HeaderUtilities.RemoveQuotes(disposition.Name).Value is { } name && fieldLimits.TryGetValue(name, out int limit))
                fields[name] = await ReadAtMostAsync(section.Body, limit + 1, cancellation);
        }
        return new UploadParts(fields, null, "");
    }

    static async Task<string> ReadAtMostAsync(Stream body, int maxChars, CancellationToken cancellation)
    {
        using var reader = new StreamReader(body);
        var buffer = new char[maxChars];
        int total = 0, read;
        while (total < maxChars && (read = await reader.ReadAsync(buffer.AsMemory(total), cancellation)) > 0) total += read;
        return new string(buffer, 0, total);
    }
}
