using System.Text;

namespace LoraLab.Web.Slurm;

/// <summary>
/// Follows a file another process appends lines to (a job's event stream on a shared folder) by byte offset: each read
/// returns the lines completed since the last one; a line still being written is kept for the next read.
/// </summary>
public sealed class EventFileTail(string path, long offset = 0)
{
    readonly MemoryStream _partial = new();

    /// <summary>The offset just after the last complete line returned.</summary>
    public long Offset { get; private set; } = offset;

    public IReadOnlyList<string> ReadNewLines()
    {
        if (!File.Exists(path)) return [];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        long start = Offset + _partial.Length;
        if (stream.Length <= start) return [];
        stream.Seek(start, SeekOrigin.Begin);
        var buffer = new byte[stream.Length - start];
        stream.ReadExactly(buffer);

        var lines = new List<string>();
        int lineStart = 0;
        for (int i = 0; i < buffer.Length; i++)
        {
            if (buffer[i] != (byte)'\n') continue;
            _partial.Write(buffer, lineStart, i - lineStart);
            Offset += _partial.Length + 1;
            lines.Add(Encoding.UTF8.GetString(_partial.GetBuffer(), 0, (int)_partial.Length).TrimEnd('\r'));
            _partial.SetLength(0);
            lineStart = i + 1;
        }
        _partial.Write(buffer, lineStart, buffer.Length - lineStart);
        return lines;
    }
}
