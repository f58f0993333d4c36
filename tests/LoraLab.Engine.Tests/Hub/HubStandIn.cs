using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LoraLab.Engine.Tests.Hub;

/// <summary>
/// A stand-in for the Hugging Face Hub on a random local port, speaking the two requests a download makes as the Hub
/// does: <c>GET /api/models/{repo}/revision/{rev}?blobs=true</c> (siblings with size and lfs.sha256, the commit as
/// "sha", "gated") and <c>GET /{repo}/resolve/{rev}/{path}</c> with Range support; LFS files answer 302 to a /cdn/
/// address, as the Hub sends them to its CDN. Errors carry the Hub's X-Error-Code header. Every request is logged.
/// </summary>
public sealed partial class HubStandIn : IAsyncDisposable
{
    readonly WebApplication app;
    readonly ConcurrentDictionary<string, StandInRepo> repos = new(StringComparer.Ordinal);

    HubStandIn(WebApplication app) => this.app = app;

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Every request in arrival order: path, Range header, Authorization header.</summary>
    public ConcurrentQueue<LoggedRequest> Requests { get; } = new();

    /// <summary>Answer Range requests with 200 and the whole file, as some servers and proxies do.</summary>
    public bool IgnoreRange { get; set; }

    public static async Task<HubStandIn> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var standIn = new HubStandIn(builder.Build());
        standIn.app.Run(standIn.HandleAsync);
        await standIn.app.StartAsync();
        string address = standIn.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        standIn.Endpoint = new Uri(address);
        return standIn;
    }

    public StandInRepo AddRepo(string id, string commit = "0123456789abcdef0123456789abcdef01234567")
    {
        var repo = new StandInRepo(id, commit);
        repos[id] = repo;
        return repo;
    }

    /// <summary>The Range headers of the requests for one file (null for a request without one).</summary>
    public IReadOnlyList<string?> RangesOf(string fileName) =>
        Requests.Where(r => r.Path.EndsWith("/" + fileName, StringComparison.Ordinal) && !r.Path.StartsWith("/cdn/", StringComparison.Ordinal)).Select(r => r.Range).ToList();

    [GeneratedRegex("^/api/models/(?<repo>.+)/revision/(?<rev>[^/]+)$")]
    private static partial Regex ListingPath();

    [GeneratedRegex("^/(?<repo>.+)/resolve/(?<rev>[^/]+)/(?<path>.+)$")]
    private static partial Regex ResolvePath();

    [GeneratedRegex("^/cdn/(?<repo>.+)/(?<path>[^/]+)$")]
    private static partial Regex CdnPath();

    async Task HandleAsync(HttpContext context)
    {
        string path = Uri.UnescapeDataString(context.Request.Path.Value ?? "");
        string? authorization = context.Request.Headers.Authorization.FirstOrDefault();
        Requests.Enqueue(new LoggedRequest(path, context.Request.Headers.Range.FirstOrDefault(), authorization));
        string? token = authorization?.StartsWith("Bearer ", StringComparison.Ordinal) == true ? authorization["Bearer ".Length..] : null;

        if (ListingPath().Match(path) is { Success: true } listing)
        {
            if (Find(listing.Groups["repo"].Value, token) is not { } repo) { NotFound(context, token); return; }
            if (!repo.HasRevision(listing.Groups["rev"].Value)) { Refuse(context, 404, "RevisionNotFound"); return; }
            await context.Response.WriteAsJsonAsync(repo.Listing());
        }
        else if (ResolvePath().Match(path) is { Success: true } resolve)
        {
            if (Find(resolve.Groups["repo"].Value, token) is not { } repo) { NotFound(context, token); return; }
            if (repo.Gated is not null && token != repo.Token) { Refuse(context, token is null ? 401 : 403, "GatedRepo"); return; }
            if (!repo.HasRevision(resolve.Groups["rev"].Value)) { Refuse(context, 404, "RevisionNotFound"); return; }
            if (!repo.Files.TryGetValue(resolve.Groups["path"].Value, out var file)) { Refuse(context, 404, "EntryNotFound"); return; }
            if (file.Lfs) context.Response.Redirect($"/cdn/{repo.Id}/{file.Name}");
            else await ServeAsync(context, file);
        }
        else if (CdnPath().Match(path) is { Success: true } cdn && repos.TryGetValue(cdn.Groups["repo"].Value, out var cdnRepo)
                 && cdnRepo.Files.TryGetValue(cdn.Groups["path"].Value, out var cdnFile))
            await ServeAsync(context, cdnFile);
        else context.Response.StatusCode = 404;
    }

    StandInRepo? Find(string id, string? token) =>
        repos.TryGetValue(id, out var repo) && (!repo.Private || token == repo.Token) ? repo : null;

    /// <summary>Like the Hub: 401 without a token (private and missing look alike), 404 with one.</summary>
    static void NotFound(HttpContext context, string? token) => Refuse(context, token is null ? 401 : 404, "RepoNotFound");

    static void Refuse(HttpContext context, int status, string code)
    {
        context.Response.StatusCode = status;
        context.Response.Headers["X-Error-Code"] = code;
    }

    async Task ServeAsync(HttpContext context, StandInFile file)
    {
        byte[] content = file.Served ?? file.Content;
        long from = 0;
        string? range = context.Request.Headers.Range.FirstOrDefault();
        if (!IgnoreRange && range is not null && RangeStart().Match(range) is { Success: true } match)
        {
            from = long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (from >= content.Length)
            {
                context.Response.StatusCode = 416;
                context.Response.Headers.ContentRange = $"bytes */{content.Length}";
                return;
            }
            context.Response.StatusCode = 206;
            context.Response.Headers.ContentRange = $"bytes {from}-{content.Length - 1}/{content.Length}";
        }
        context.Response.ContentLength = content.Length - from;
        int stopAt = file.TakeFailure() is { } failAfter ? (int)Math.Min(content.Length, failAfter) : content.Length;
        for (long at = from; at < stopAt; at += file.ChunkBytes)
        {
            int count = (int)Math.Min(file.ChunkBytes, stopAt - at);
            await context.Response.Body.WriteAsync(content.AsMemory((int)at, count), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            if (file.ChunkDelay > TimeSpan.Zero) await Task.Delay(file.ChunkDelay, context.RequestAborted);
        }
        // Returning short of the Content-Length makes Kestrel close the connection once the bytes written are sent
        // (an abort could drop them): the client sees the connection lost mid-file.
    }

    [GeneratedRegex(@"^bytes=(\d+)-$")]
    private static partial Regex RangeStart();

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

public sealed record LoggedRequest(string Path, string? Range, string? Authorization);

public sealed class StandInRepo(string id, string commit)
{
    public string Id => id;
    public string Commit { get; set; } = commit;
    public ConcurrentDictionary<string, StandInFile> Files { get; } = new(StringComparer.Ordinal);
    /// <summary>"auto" or "manual" makes file downloads need <see cref="Token"/>, as a gated repository's do.</summary>
    public string? Gated { get; set; }
    /// <summary>Hidden from every request without <see cref="Token"/>.</summary>
    public bool Private { get; set; }
    public string? Token { get; set; }

    public StandInFile Add(string name, byte[] content, bool lfs = false)
    {
        var file = new StandInFile(name, content, lfs);
        Files[name] = file;
        return file;
    }

    public StandInFile Add(string name, string text) => Add(name, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Copies every file of a model folder, the *.safetensors as LFS files.</summary>
    public StandInRepo AddFolder(string folder)
    {
        foreach (string path in Directory.EnumerateFiles(folder))
            Add(Path.GetFileName(path), File.ReadAllBytes(path), lfs: path.EndsWith(".safetensors", StringComparison.Ordinal));
        return this;
    }

    public bool HasRevision(string revision) => revision is "main" || revision == Commit;

    public JsonObject Listing() => new()
    {
        ["id"] = Id,
        ["sha"] = Commit,
        ["gated"] = Gated is null ? false : Gated,
        ["private"] = Private,
        ["siblings"] = new JsonArray(Files.Values.OrderBy(f => f.Name, StringComparer.Ordinal).Select(f => (JsonNode)f.Sibling()).ToArray()),
    };
}

public sealed class StandInFile(string name, byte[] content, bool lfs)
{
    int failuresLeft;
    long failAfter;

    public string Name => name;
    public byte[] Content => content;
    public bool Lfs => lfs;
    /// <summary>Bytes sent instead of <see cref="Content"/> (the listing still describes Content): a corrupted transfer.</summary>
    public byte[]? Served { get; set; }
    public int ChunkBytes { get; set; } = 64 * 1024;
    public TimeSpan ChunkDelay { get; set; }
    public string Sha256 => Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>The next <paramref name="times"/> requests for this file break the connection after <paramref name="bytes"/> bytes of the file.</summary>
    public void FailAfter(long bytes, int times = 1) => (failAfter, failuresLeft) = (bytes, times);

    internal long? TakeFailure() => Interlocked.Decrement(ref failuresLeft) >= 0 ? failAfter : null;

    public JsonObject Sibling()
    {
        var sibling = new JsonObject { ["rfilename"] = Name, ["size"] = Content.Length, ["blobId"] = Convert.ToHexStringLower(SHA1.HashData(Content)) };
        if (Lfs) sibling["lfs"] = new JsonObject { ["sha256"] = Sha256, ["size"] = Content.Length, ["pointerSize"] = 134 };
        return sibling;
    }
}
