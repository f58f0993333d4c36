using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace LoraLab.Engine.Training;

/// <summary>
/// A TensorBoard event file (<c>events.out.tfevents.*</c>) of scalar summaries: TFRecord framing (little-endian
/// uint64 length, masked CRC32C of the length, the record, masked CRC32C of the record) around <c>tensorflow.Event</c>
/// protocol buffers, encoded here field by field (event.proto: wall_time = 1 double, step = 2 int64, file_version = 3,
/// summary = 5; summary.proto: value = 1 with tag = 1 and simple_value = 2 float). The first record carries
/// <c>brain.Event:2</c>, as TensorBoard expects. Each record is flushed, so a killed run leaves a readable file.
/// </summary>
public sealed class TensorBoardEventFile : IDisposable
{
    readonly FileStream file;

    public TensorBoardEventFile(string directory)
    {
        Directory.CreateDirectory(directory);
        // TensorBoard reads every events.out.tfevents.* file of a folder: a resumed run adds one rather than rewriting one.
        Path = System.IO.Path.Combine(directory, $"events.out.tfevents.{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.{Environment.MachineName}.{Environment.ProcessId}.{Guid.NewGuid():N}");
        file = new FileStream(Path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        var header = new ProtoWriter();
        header.Double(1, WallTime());
        header.String(3, "brain.Event:2");
        WriteRecord(header.ToArray());
    }

    public string Path { get; }

    public void AddScalar(string tag, double value, long step)
    {
        var summaryValue = new ProtoWriter();
        summaryValue.String(1, tag);
        summaryValue.Float(2, (float)value);
        var summary = new ProtoWriter();
        summary.Message(1, summaryValue.ToArray());
        var evnt = new ProtoWriter();
        evnt.Double(1, WallTime());
        evnt.Varint(2, (ulong)step);
        evnt.Message(5, summary.ToArray());
        WriteRecord(evnt.ToArray());
    }

    static double WallTime() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    void WriteRecord(byte[] data)
    {
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)data.Length);
        Span<byte> crc = stackalloc byte[4];
        file.Write(length);
        BinaryPrimitives.WriteUInt32LittleEndian(crc, MaskedCrc32C(length));
        file.Write(crc);
        file.Write(data);
        BinaryPrimitives.WriteUInt32LittleEndian(crc, MaskedCrc32C(data));
        file.Write(crc);
        file.Flush();
    }

    /// <summary>TensorFlow's <c>crc32c::Mask</c>: the CRC rotated right by 15 bits plus 0xa282ead8, so that CRCs of data holding CRCs stay strong.</summary>
    public static uint MaskedCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = Crc32C(data);
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }

    /// <summary>CRC-32C (Castagnoli), as <c>crc32c("123456789") = 0xE3069283</c>.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data) crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }

    public void Dispose() => file.Dispose();

    /// <summary>Just enough of the protocol-buffer wire format for these two messages.</summary>
    sealed class ProtoWriter
    {
        readonly MemoryStream bytes = new();

        void Tag(int field, int wireType) => Raw((ulong)((field << 3) | wireType));

        void Raw(ulong value)
        {
            while (value >= 0x80) { bytes.WriteByte((byte)(value | 0x80)); value >>= 7; }
            bytes.WriteByte((byte)value);
        }

        public void Varint(int field, ulong value) { Tag(field, 0); Raw(value); }

        public void Double(int field, double value)
        {
            Tag(field, 1);
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteDoubleLittleEndian(b, value);
            bytes.Write(b);
        }

        public void Float(int field, float value)
        {
            Tag(field, 5);
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(b, value);
            bytes.Write(b);
        }

        public void Message(int field, byte[] message) { Tag(field, 2); Raw((ulong)message.Length); bytes.Write(message); }

        public void String(int field, string value) => Message(field, Encoding.UTF8.GetBytes(value));

        public byte[] ToArray() => bytes.ToArray();
    }
}
