using System.Net;
using System.Net.Http.Headers;

namespace LoraLab.Engine.Hub;

/// <summary>
/// The two Hub requests a download needs: the file list of a repository at a revision, and a file's bytes from
/// <c>{endpoint}/{repo}/resolve/{revision}/{path}</c>, from an offset (HTTP Range). Redirects (to a CDN, or after a
/// repository was renamed) are followed; the token is sent as <c>Authorization: Bearer</c> to the endpoint and, as
/// .NET does, dropped on redirects, so a CDN's signed address never sees it.
/// </summary>
public sealed class HubClient : IDisposable
{
    readonly HttpClient http;

    public HubClient(HubSettings settings, TimeSpan? stallTimeout = null)
    {
        Settings = settings;
        StallTimeout = stallTimeout ?? TimeSpan.FromSeconds(60);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            // Ranges count bytes of the stored file, so nothing may be decompressed on the way.
            AutomaticDecompression = DecompressionMethods.None,
        };
        http = new HttpClient(handler) { BaseAddress = settings.Endpoint, Timeout = StallTimeout };
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("loralab", typeof(HubClient).Assembly.GetName().Version?.ToString(3) ?? "1.0"));
    }

    public HubSettings Settings { get; }

    /// <summary>How long an answer, or the next bytes of a file, may take before the connection counts as lost.</summary>
    public TimeSpan StallTimeout { get; }

    /// <summary>The repository's files with sizes and LFS sha256s, and the commit <paramref name="revision"/> points to.</summary>
    public async Task<HubRepoListing> ListAsync(HubRepoId repo, string revision, CancellationToken cancellation = default)
    {
        string address = $"api/models/{repo}/revision/{Uri.EscapeDataString(revision)}?blobs=true";
        using var response = await SendAsync(address, from: 0, $"the file list of '{repo}'", cancellation);
        if (!response.IsSuccessStatusCode) throw HubErrors.Refused(response, Settings, repo, revision, file: null);
        string json = await ReadBodyAsync(response.Content.ReadAsStringAsync, $"the file list of '{repo}'", cancellation);
        return HubRepoListing.Parse(repo, revision, json, $"{Settings.EndpointText}/{address}");
    }

    /// <summary>A small file (config.json, the shard index) read whole; one larger than <paramref name="maxBytes"/> is refused.</summary>
    public async Task<byte[]> ReadSmallFileAsync(HubRepoId repo, string revision, string path, long maxBytes, CancellationToken cancellation = default)
    {
        using var response = await OpenFileAsync(repo, revision, path, from: 0, cancellation);
        if (response.Content.Headers.ContentLength > maxBytes)
            throw new HubDownloadException(HubFailure.NotSupported, $"'{path}' of '{repo}' has {response.Content.Headers.ContentLength} bytes, more than the {maxBytes} such a file can have.");
        return await ReadBodyAsync(response.Content.ReadAsByteArrayAsync, $"'{path}' of '{repo}'", cancellation);
    }

    /// <summary>
    /// Asks for a file from byte <paramref name="from"/> on. The answer is 206 with that range, 200 with the whole file
    /// (a server that ignores ranges), or 416 when the range is past the end; any other status is thrown as a failure.
    /// </summary>
    public async Task<HttpResponseMessage> OpenFileAsync(HubRepoId repo, string revision, string path, long from, CancellationToken cancellation = default)
    {
        string address = $"{repo}/resolve/{Uri.EscapeDataString(revision)}/{string.Join('/', path.Split('/').Select(Uri.EscapeDataString))}";
        var response = await SendAsync(address, from, $"'{path}' of '{repo}'", cancellation);
        if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable) return response;
        using (response) throw HubErrors.Refused(response, Settings, repo, revision, path);
    }

    async Task<HttpResponseMessage> SendAsync(string address, long from, string what, CancellationToken cancellation)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, address);
        if (Settings.Token is { } token) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (from > 0) request.Headers.Range = new RangeHeaderValue(from, null);
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation);
        }
        catch (Exception e) when (IsConnectionFailure(e, cancellation))
        {
            throw Lost(what, e);
        }
    }

    /// <summary>Reads a whole body, which must arrive within <see cref="StallTimeout"/>: HttpClient's timeout ends with the headers.</summary>
    async Task<T> ReadBodyAsync<T>(Func<CancellationToken, Task<T>> read, string what, CancellationToken cancellation)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        bounded.CancelAfter(StallTimeout);
        try
        {
            return await read(bounded.Token);
        }
        catch (Exception e) when (IsConnectionFailure(e, cancellation))
        {
            throw Lost(what, e);
        }
    }

    /// <summary>A network failure or a timeout, not the caller's cancellation.</summary>
    internal static bool IsConnectionFailure(Exception e, CancellationToken cancellation) =>
        e is HttpRequestException or IOException || (e is OperationCanceledException && !cancellation.IsCancellationRequested);

    HubDownloadException Lost(string what, Exception e)
    {
        string reason = e is OperationCanceledException ? $"no answer within {Seconds(StallTimeout)} s" : Reason(e);
        return new HubDownloadException(HubFailure.ConnectionLost, $"Could not read {what} from {Settings.Endpoint.Host} ({reason}); try again to continue.", e);
    }

    /// <summary>What went wrong with the connection, in words rather than the handler's message and error code.</summary>
    internal static string Reason(Exception e) => e switch
    {
        HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } => "the host name could not be resolved",
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => "the connection could not be made",
        HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } => "the TLS connection failed",
        HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } or HttpIOException { HttpRequestError: HttpRequestError.ResponseEnded }
            => "the connection closed before the answer was complete",
        HttpRequestException { InnerException: { } inner } => Reason(inner),
        _ => e.Message.TrimEnd('.'),
    };

    internal static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);

    public void Dispose() => http.Dispose();
}
