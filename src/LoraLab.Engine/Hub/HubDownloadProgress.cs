namespace LoraLab.Engine.Hub;

/// <summary>
/// Where a download stands: the file being fetched and its bytes, the bytes of the whole download (files already on
/// disk count as done), and the recent transfer rate. Totals count only the sizes the Hub listed.
/// </summary>
public sealed record HubDownloadProgress(
    string File, long FileBytesDone, long? FileBytesTotal, long BytesDone, long BytesTotal, int FilesDone, int FileCount, double BytesPerSecond);
