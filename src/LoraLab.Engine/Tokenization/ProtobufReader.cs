using System.Buffers.Binary;

namespace LoraLab.Engine.Tokenization;

/// <summary>
/// The protobuf wire format, just enough to walk the fields of SentencePiece's ModelProto:
/// each field is a varint key (number &lt;&lt; 3 | wire type) followed by its value.
/// </summary>
internal ref struct ProtobufReader(ReadOnlySpan<byte> data)
{
    public const int Varint = 0, Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5;

    readonly ReadOnlySpan<byte> data = data;
    int position;

    public bool TryReadField(out int number, out int wireType)
    {
        if (position >= data.Length) { number = wireType = 0; return false; }
        ulong key = ReadVarint();
        number = (int)(key >> 3);
        wireType = (int)(key & 7);
        return true;
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (position >= data.Length) throw new InvalidDataException("truncated varint");
            byte b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
        throw new InvalidDataException("varint longer than 10 bytes");
    }

    public ReadOnlySpan<byte> ReadBytes()
    {
        ulong length = ReadVarint();
        // Compared as unsigned 64-bit: a huge claimed length must not wrap around when added to the position.
        if (length > (ulong)(data.Length - position)) throw new InvalidDataException($"a length-delimited field of {length} bytes runs past the end");
        var bytes = data.Slice(position, (int)length);
        position += (int)length;
        return bytes;
    }

    public float ReadFloat()
    {
        if (position + 4 > data.Length) throw new InvalidDataException("truncated fixed32 field");
        float value = BinaryPrimitives.ReadSingleLittleEndian(data.Slice(position, 4));
        position += 4;
        return value;
    }

    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case Varint: ReadVarint(); break;
            case Fixed64: Advance(8); break;
            case LengthDelimited: ReadBytes(); break;
            case Fixed32: Advance(4); break;
            default: throw new InvalidDataException($"unknown wire type {wireType}");
        }
    }

    void Advance(int bytes)
    {
        if (bytes > data.Length - position) throw new InvalidDataException("a field runs past the end");
        position += bytes;
    }
}
