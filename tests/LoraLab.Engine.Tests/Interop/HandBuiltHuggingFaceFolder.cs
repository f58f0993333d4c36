using System.Buffers.Binary;
using System.Text;
using LoraLab.Engine.Tests.Checkpoints;

namespace LoraLab.Engine.Tests.Interop;

/// <summary>
/// A model or adapter folder assembled byte by byte as transformers' <c>save_pretrained</c> and PEFT's
/// <c>save_pretrained</c> write it: the JSON text given verbatim, and a safetensors file (header with
/// <c>"__metadata__": {"format": "pt"}</c>, tensors laid out in key order) built here, not by the engine's writer.
/// The values written are kept as float64, as the reference decoder reads them.
/// </summary>
sealed class HandBuiltHuggingFaceFolder(string directory)
{
    readonly SortedDictionary<string, (double[] Data, long[] Shape)> tensors = new(StringComparer.Ordinal);
    ulong state = 0x9E3779B97F4A7C15;

    public string Directory { get; } = directory;

    public IReadOnlyDictionary<string, (double[] Data, long[] Shape)> Tensors => tensors;

    /// <summary>Uniform in [center − spread, center + spread), from a fixed xorshift stream: the same folder every run.</summary>
    public HandBuiltHuggingFaceFolder Random(string key, long[] shape, double spread = 0.3, double center = 0)
    {
        var data = new double[shape.Aggregate(1L, (a, b) => a * b)];
        for (int i = 0; i < data.Length; i++) data[i] = center + spread * (2 * NextUnit() - 1);
        tensors[key] = (data, shape);
        return this;
    }

    public HandBuiltHuggingFaceFolder Exact(string key, long[] shape, double[] data)
    {
        tensors[key] = (data, shape);
        return this;
    }

    double NextUnit()
    {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return (state >> 11) * (1.0 / (1UL << 53));
    }

    public void WriteJson(string fileName, string json)
    {
        System.IO.Directory.CreateDirectory(Directory);
        File.WriteAllText(Path.Combine(Directory, fileName), json);
    }

    /// <summary>
    /// Writes the tensors as F32 or BF16 (round to nearest even, as torch's <c>.to(torch.bfloat16)</c>), and keeps
    /// the stored values, so that the reference sees exactly what the file holds.
    /// </summary>
    public void WriteSafetensors(string fileName, string dtype = "F32")
    {
        int size = dtype switch { "F32" => 4, "BF16" => 2, _ => throw new ArgumentException(dtype) };
        var header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        using var data = new MemoryStream();
        foreach (var (key, (values, shape)) in tensors)
        {
            long begin = data.Length;
            for (int i = 0; i < values.Length; i++)
            {
                var bytes = new byte[size];
                float f = (float)values[i];
                if (dtype == "F32") BinaryPrimitives.WriteSingleLittleEndian(bytes, f);
                else
                {
                    ushort bf16 = RoundToBfloat16(f);
                    BinaryPrimitives.WriteUInt16LittleEndian(bytes, bf16);
                    f = BitConverter.Int32BitsToSingle(bf16 << 16);
                }
                values[i] = f;
                data.Write(bytes);
            }
            header.Append($",\"{key}\":{{\"dtype\":\"{dtype}\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{begin},{data.Length}]}}");
        }
        header.Append('}');
        System.IO.Directory.CreateDirectory(Directory);
        File.WriteAllBytes(Path.Combine(Directory, fileName), HandBuiltSafetensors.Bytes(header.ToString(), data.ToArray()));
    }

    static ushort RoundToBfloat16(float f)
    {
        uint bits = (uint)BitConverter.SingleToInt32Bits(f);
        uint roundingBias = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + roundingBias) >> 16);
    }
}
