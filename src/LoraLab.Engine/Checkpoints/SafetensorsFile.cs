using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using TorchSharp;

namespace LoraLab.Engine.Checkpoints;

/// <summary>
/// One safetensors file, memory-mapped read-only with its header validated at <see cref="Open"/>. Tensors are copied
/// straight from the mapping into fresh torch storage, so a load costs one copy and no managed buffer.
/// </summary>
public sealed unsafe class SafetensorsFile : IDisposable
{
    const int LengthPrefixBytes = 8;

    readonly MemoryMappedFile _mapping;
    readonly MemoryMappedViewAccessor _view;
    readonly byte* _data;
    bool _disposed;

    SafetensorsFile(string path, SafetensorsHeader header, MemoryMappedFile mapping, MemoryMappedViewAccessor view, long dataStart)
    {
        Path = path;
        Tensors = header.Tensors;
        Metadata = header.Metadata;
        _mapping = mapping;
        _view = view;
        byte* start = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        _data = start + view.PointerOffset + dataStart;
    }

    public string Path { get; }

    public IReadOnlyDictionary<string, TensorEntry> Tensors { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    public static SafetensorsFile Open(string path)
    {
        string fullPath = System.IO.Path.GetFullPath(path);
        using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read);
        var (header, dataStart) = ReadHeader(stream, fullPath);

        var mapping = MemoryMappedFile.CreateFromFile(stream, mapName: null, capacity: 0, MemoryMappedFileAccess.Read,
            HandleInheritability.None, leaveOpen: true);
        try
        {
            var view = mapping.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            return new SafetensorsFile(fullPath, header, mapping, view, dataStart);
        }
        catch
        {
            mapping.Dispose();
            throw;
        }
    }

    static (SafetensorsHeader Header, long DataStart) ReadHeader(FileStream stream, string file)
    {
        long fileBytes = stream.Length;
        if (fileBytes < LengthPrefixBytes)
            throw new CheckpointFormatException(file, null, $"the file has {fileBytes} bytes, fewer than the 8-byte header length.");

        Span<byte> prefix = stackalloc byte[LengthPrefixBytes];
        stream.ReadExactly(prefix);
        ulong headerBytes = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerBytes > SafetensorsHeader.MaxBytes)
            throw new CheckpointFormatException(file, null, $"the header claims {headerBytes} bytes, more than the {SafetensorsHeader.MaxBytes}-byte limit.");
        if ((long)headerBytes > fileBytes - LengthPrefixBytes)
            throw new CheckpointFormatException(file, null, $"the header claims {headerBytes} bytes but only {fileBytes - LengthPrefixBytes} follow the length.");

        var json = new byte[headerBytes];
        stream.ReadExactly(json);
        long dataStart = LengthPrefixBytes + (long)headerBytes;
        return (SafetensorsHeader.Parse(json, fileBytes - dataStart, file), dataStart);
    }

    /// <summary>Loads a tensor on the CPU in its stored dtype, then converts to <paramref name="dtype"/> and moves to <paramref name="device"/> if given.</summary>
    public torch.Tensor Load(string name, torch.Device? device = null, torch.ScalarType? dtype = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!Tensors.TryGetValue(name, out var entry))
            throw new KeyNotFoundException($"{Path}: there is no tensor named '{name}'.");

        using var scope = torch.NewDisposeScope();
        var stored = torch.empty(entry.Shape, entry.DType.ToScalarType());
        long bytes = entry.ByteSize;
        // The destination size comes from the allocated tensor, so even a caller who edits the entry's Shape array cannot overrun it.
        if (bytes > 0) Buffer.MemoryCopy(_data + entry.Begin, TensorMemory.FirstElementAddress(stored), stored.NumberOfElements * stored.ElementSize, bytes);
        return stored.to(dtype ?? stored.dtype, device ?? torch.CPU).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _mapping.Dispose();
    }
}
