using System.Text;
using LoraLab.Engine.Checkpoints;

namespace LoraLab.Engine.Export.Gguf;

/// <summary>
/// Writes a GGUF v3 file (ggml docs/gguf.md): header, metadata, tensor infos, padding to the alignment, then the
/// tensor data, each tensor starting at a multiple of the alignment. Everything is little-endian.
/// </summary>
public static class GgufWriter
{
    const uint Magic = 0x46554747;   // "GGUF" read as a little-endian uint32
    const uint Version = 3;
    public const int Alignment = 32;

    /// <summary>
    /// Writes atomically (a temporary file renamed over <paramref name="path"/>): a failure such as a full disk leaves
    /// no partial file behind. <paramref name="progress"/> hears the number of tensors written so far.
    /// </summary>
    public static void Write(string path, GgufMetadata metadata, IReadOnlyList<GgufTensor> tensors, IProgress<int>? progress = null, CancellationToken cancellation = default)
    {
        var duplicate = tensors.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Tensor '{duplicate.Key}' is written twice.");
        try
        {
            AtomicFile.Write(path, stream =>
            {
                // Not disposed: disposing a BufferedStream closes the file that AtomicFile still flushes to disk.
                var output = new BufferedStream(stream, 1 << 20);
                using var writer = new BinaryWriter(output, Encoding.UTF8, leaveOpen: true);
                WriteHeader(writer, metadata, tensors);
                Pad(writer);
                for (int i = 0; i < tensors.Count; i++)
                {
                    cancellation.ThrowIfCancellationRequested();
                    var tensor = tensors[i];
                    byte[] bytes = tensor.Data();
                    if (bytes.Length != tensor.ByteCount)
                        throw new InvalidOperationException($"Tensor '{tensor.Name}' produced {bytes.Length} bytes; its {tensor.Type} shape needs {tensor.ByteCount}.");
                    writer.Write(bytes);
                    Pad(writer);
                    progress?.Report(i + 1);
                }
                writer.Flush();
                output.Flush();
            });
        }
        catch (IOException e)
        {
            throw new IOException($"Could not write {path}: {e.Message} (no partial file was left behind).", e);
        }
    }

    static void WriteHeader(BinaryWriter writer, GgufMetadata metadata, IReadOnlyList<GgufTensor> tensors)
    {
        writer.Write(Magic);
        writer.Write(Version);
        writer.Write((ulong)tensors.Count);
        writer.Write((ulong)metadata.Entries.Count);
        foreach (var entry in metadata.Entries)
        {
            WriteString(writer, entry.Key);
            writer.Write((uint)entry.Type);
            WriteValue(writer, entry.Type, entry.Value, entry.ElementType);
        }
        ulong offset = 0;
        foreach (var tensor in tensors)
        {
            WriteString(writer, tensor.Name);
            writer.Write((uint)tensor.Shape.Length);
            for (int d = tensor.Shape.Length - 1; d >= 0; d--) writer.Write((ulong)tensor.Shape[d]);   // ggml ne[0] is the innermost dimension
            writer.Write((uint)tensor.Type);
            writer.Write(offset);
            offset += (ulong)AlignUp(tensor.ByteCount);
        }
    }

    static void WriteValue(BinaryWriter writer, GgufValueType type, object value, GgufValueType elementType)
    {
        switch (type)
        {
            case GgufValueType.String: WriteString(writer, (string)value); break;
            case GgufValueType.UInt32: writer.Write((uint)value); break;
            case GgufValueType.Int32: writer.Write((int)value); break;
            case GgufValueType.Float32: writer.Write((float)value); break;
            case GgufValueType.Bool: writer.Write((bool)value ? (byte)1 : (byte)0); break;
            case GgufValueType.Array:
                writer.Write((uint)elementType);
                switch (elementType)
                {
                    case GgufValueType.String:
                        var strings = (IReadOnlyList<string>)value;
                        writer.Write((ulong)strings.Count);
                        foreach (string s in strings) WriteString(writer, s);
                        break;
                    case GgufValueType.Float32:
                        var floats = (IReadOnlyList<float>)value;
                        writer.Write((ulong)floats.Count);
                        foreach (float f in floats) writer.Write(f);
                        break;
                    case GgufValueType.Int32:
                        var ints = (IReadOnlyList<int>)value;
                        writer.Write((ulong)ints.Count);
                        foreach (int n in ints) writer.Write(n);
                        break;
                    default: throw new NotSupportedException($"GGUF arrays of {elementType} are not written by this exporter.");
                }
                break;
            default: throw new NotSupportedException($"GGUF values of type {type} are not written by this exporter.");
        }
    }

    /// <summary>A GGUF string: uint64 byte length, then UTF-8 bytes without a terminator.</summary>
    static void WriteString(BinaryWriter writer, string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        writer.Write((ulong)bytes.Length);
        writer.Write(bytes);
    }

    static long AlignUp(long n) => (n + Alignment - 1) / Alignment * Alignment;

    static void Pad(BinaryWriter writer)
    {
        writer.Flush();
        long position = writer.BaseStream.Position;
        long padded = AlignUp(position);
        for (long i = position; i < padded; i++) writer.Write((byte)0);
    }
}
