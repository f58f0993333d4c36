using System.Buffers;
using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;
using TorchSharp;

namespace LoraLab.Engine.Checkpoints;

/// <summary>Where each tensor goes in a file about to be written, and the header bytes that say so.</summary>
internal sealed class SafetensorsLayout
{
    public sealed record Slot(string Name, torch.Tensor Tensor, SafetensorsDType DType, long Begin, long End);

    SafetensorsLayout(IReadOnlyList<Slot> slots, byte[] header)
    {
        Slots = slots;
        Header = header;
    }

    /// <summary>In file order, with increasing offsets and no gaps.</summary>
    public IReadOnlyList<Slot> Slots { get; }

    /// <summary>The 8-byte little-endian header length, then the JSON header padded with spaces to a multiple of 8 bytes.</summary>
    public byte[] Header { get; }

    public long DataBytes => Slots.Count == 0 ? 0 : Slots[^1].End;

    /// <summary>
    /// Orders tensors as Python's safetensors does, widest element first then by name, which keeps every tensor aligned
    /// to its element size once the header is padded to 8 bytes.
    /// </summary>
    public static SafetensorsLayout Plan(IEnumerable<KeyValuePair<string, torch.Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        var named = new List<(string Name, torch.Tensor Tensor, SafetensorsDType DType)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            ArgumentNullException.ThrowIfNull(name, "tensor name");
            if (name == SafetensorsHeader.MetadataKey) throw new ArgumentException($"'{name}' is reserved and cannot name a tensor.", nameof(tensors));
            if (!seen.Add(name)) throw new ArgumentException($"Tensor '{name}' is given twice.", nameof(tensors));
            if (tensor is null) throw new ArgumentException($"Tensor '{name}' is null.", nameof(tensors));
            if (!SafetensorsDTypeExtensions.TryFromScalarType(tensor.dtype, out var dtype))
                throw new ArgumentException($"Tensor '{name}' has dtype {tensor.dtype}, which safetensors cannot store.", nameof(tensors));
            named.Add((name, tensor, dtype));
        }

        var slots = new List<Slot>(named.Count);
        long offset = 0;
        foreach (var (name, tensor, dtype) in named.OrderByDescending(t => t.DType.ElementSize()).ThenBy(t => t.Name, StringComparer.Ordinal))
        {
            long bytes = dtype.ByteSize(tensor.shape);
            slots.Add(new Slot(name, tensor, dtype, offset, offset + bytes));
            offset += bytes;
        }
        return new SafetensorsLayout(slots, BuildHeader(slots, metadata));
    }

    static byte[] BuildHeader(IReadOnlyList<Slot> slots, IReadOnlyDictionary<string, string>? metadata)
    {
        var json = new ArrayBufferWriter<byte>();
        // Relaxed escaping keeps non-ASCII names readable; quotes, backslashes and control characters are still escaped.
        using (var writer = new Utf8JsonWriter(json, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            if (metadata is not null)
            {
                writer.WriteStartObject(SafetensorsHeader.MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(pair => pair.Key, StringComparer.Ordinal))
                    writer.WriteString(key, value ?? throw new ArgumentException($"Metadata key '{key}' has a null value.", nameof(metadata)));
                writer.WriteEndObject();
            }
            foreach (var slot in slots)
            {
                writer.WriteStartObject(slot.Name);
                writer.WriteString("dtype", slot.DType.ToString());
                writer.WriteStartArray("shape");
                foreach (long dimension in slot.Tensor.shape) writer.WriteNumberValue(dimension);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(slot.Begin);
                writer.WriteNumberValue(slot.End);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }

        int padded = (json.WrittenCount + 7) / 8 * 8;
        var header = new byte[8 + padded];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)padded);
        json.WrittenSpan.CopyTo(header.AsSpan(8));
        header.AsSpan(8 + json.WrittenCount).Fill((byte)' ');
        return header;
    }
}
