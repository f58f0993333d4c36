using System.Buffers.Binary;
using System.Text;

namespace LoraLab.Engine.Tests.Checkpoints;

/// <summary>Safetensors bytes assembled from the format's definition, independent of the code under test.</summary>
internal static class HandBuiltSafetensors
{
    /// <summary>The header's byte count as 8 little-endian bytes, the header's UTF-8 bytes, then the data buffer.</summary>
    public static byte[] Bytes(string header, byte[] data)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + json.Length);
        return bytes;
    }
}
