namespace LoraLab.Engine.Hub;

/// <summary>Free space where a download goes, and telling a full disk from other write errors.</summary>
public static class DiskSpace
{
    /// <summary>Free bytes on the file system holding <paramref name="folder"/> (or its nearest existing parent); null when unknown.</summary>
    public static long? AvailableBytes(string folder)
    {
        var existing = new DirectoryInfo(Path.GetFullPath(folder));
        while (existing is { Exists: false }) existing = existing.Parent;
        if (existing is null) return null;
        try
        {
            return new DriveInfo(existing.FullName).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>ENOSPC on Linux and macOS (the errno is the HResult there), ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL on Windows.</summary>
    public static bool IsDiskFull(IOException e) => e.HResult is 28 or unchecked((int)0x80070070) or unchecked((int)0x80070027);
}
