using System.Net;
using System.Security.Cryptography;

namespace LoraLab.Engine.Hub;

/// <summary>
/// Fetches one file into <c>{file}.incomplete</c> and renames it to <c>{file}</c> once its size (and sha256, when the
/// Hub lists one) is right. Bytes already in the .incomplete file are kept: the request asks for the rest with a Range
/// header, and a server that answers with the whole file (200 instead of 206) is written from the start instead.
/// </summary>
sealed class ResumableFileDownload(HubClient client, HubDownloadPlan plan, HubFile file, string folder, DownloadMeter meter)
{
    public const string PartialSuffix = ".incomplete";

    readonly string target = Path.Combine(folder, file.Path);
    readonly string partial = Path.Combine(folder, file.Path + PartialSuffix);
    readonly byte[] buffer = new byte[1 << 16];

    public async Task RunAsync(CancellationToken cancellation)
    {
        long have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        if (file.Size is { } size && have > size)
        {
            File.Delete(partial);
            have = 0;
        }
        meter.StartFile(file, have);
        using var hash = file.Sha256 is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (hash is not null && have > 0) await HashExistingAsync(hash, cancellation);
        if (file.Size != have || !File.Exists(partial)) await FetchAsync(have, hash, retryFromStart: true, cancellation);
        Verify(hash);
        File.Move(partial, target, overwrite: true);
        meter.FinishFile();
    }

    async Task FetchAsync(long have, IncrementalHash? hash, bool retryFromStart, CancellationToken cancellation)
    {
        using var response = await client.OpenFileAsync(plan.Repo, plan.PinnedRevision, file.Path, have, cancellation);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // The part on disk is not a prefix of this file (it changed, or the listing's size is wrong): fetch it whole.
            if (!retryFromStart || have == 0) throw Lost($"the server refused the range from byte {have}");
            StartOver(hash);
            await FetchAsync(0, hash, retryFromStart: false, cancellation);
            return;
        }
        if (have > 0 && response.StatusCode != HttpStatusCode.PartialContent)
        {
            StartOver(hash);
            have = 0;
        }
        else if (have > 0 && response.Content.Headers.ContentRange?.From != have)
            throw Lost($"the server sent bytes from {response.Content.Headers.ContentRange?.From} when asked for bytes from {have}");

        await using var output = OpenOutput(append: have > 0);
        await CopyAsync(response, output, hash, cancellation);
        try
        {
            await output.FlushAsync(cancellation);
        }
        catch (IOException e) when (DiskSpace.IsDiskFull(e))
        {
            throw DiskFull(e);
        }
    }

    void StartOver(IncrementalHash? hash)
    {
        hash?.GetHashAndReset();
        meter.Restart();
        File.Delete(partial);
    }

    FileStream OpenOutput(bool append) =>
        new(partial, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16, useAsync: true);

    async Task CopyAsync(HttpResponseMessage response, FileStream output, IncrementalHash? hash, CancellationToken cancellation)
    {
        using var stalled = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        Stream body;
        try
        {
            body = await response.Content.ReadAsStreamAsync(cancellation);
        }
        catch (Exception e) when (HubClient.IsConnectionFailure(e, cancellation))
        {
            throw Lost(HubClient.Reason(e), e);
        }
        await using (body)
        {
            while (true)
            {
                stalled.CancelAfter(client.StallTimeout);
                int read;
                try
                {
                    read = await body.ReadAsync(buffer, stalled.Token);
                }
                catch (Exception e) when (HubClient.IsConnectionFailure(e, cancellation))
                {
                    throw Lost(e is OperationCanceledException ? $"no data for {HubClient.Seconds(client.StallTimeout)} s" : HubClient.Reason(e), e);
                }
                if (read == 0) return;
                try
                {
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellation);
                }
                catch (IOException e) when (DiskSpace.IsDiskFull(e))
                {
                    throw DiskFull(e);
                }
                hash?.AppendData(buffer, 0, read);
                meter.Add(read);
            }
        }
    }

    async Task HashExistingAsync(IncrementalHash hash, CancellationToken cancellation)
    {
        await using var existing = new FileStream(partial, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, useAsync: true);
        int read;
        while ((read = await existing.ReadAsync(buffer, cancellation)) > 0) hash.AppendData(buffer, 0, read);
    }

    /// <summary>A wrong size or digest deletes the part: resuming it could never make it right.</summary>
    void Verify(IncrementalHash? hash)
    {
        long length = new FileInfo(partial).Length;
        if (file.Size is { } size && length != size)
        {
            if (length < size) throw Lost($"the file ended after {length} of {size} bytes");
            File.Delete(partial);
            throw new HubDownloadException(HubFailure.Corrupt,
                $"'{file.Path}' of '{plan.Repo}' arrived with {length} bytes where the Hub lists {size}; its partial file was deleted, resume to fetch it again.");
        }
        if (hash is null) return;
        string actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (actual == file.Sha256) return;
        File.Delete(partial);
        throw new HubDownloadException(HubFailure.Corrupt,
            $"'{file.Path}' of '{plan.Repo}' has sha256 {actual} where the Hub lists {file.Sha256}; its partial file was deleted, resume to fetch it again.");
    }

    HubDownloadException Lost(string reason, Exception? inner = null) =>
        new(HubFailure.ConnectionLost, $"The download of '{file.Path}' from {client.Settings.Endpoint.Host} stopped ({reason}); resume to continue.", inner);

    HubDownloadException DiskFull(IOException e) =>
        new(HubFailure.DiskFull, $"The disk is full: '{file.Path}' could not be written to {folder}; free some space, then resume to continue.", e);
}
