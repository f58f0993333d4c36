namespace LoraLab.Engine.Export.Gguf;

/// <summary>
/// Which ggml type each tensor gets for a file type, following llama.cpp's <c>llama_tensor_get_type</c>
/// (src/llama-quant.cpp) for the llama family without experts.
/// </summary>
public static class GgufTensorTypes
{
    /// <summary>
    /// The type of tensor <paramref name="name"/> (a GGUF name) of shape <paramref name="shape"/> (PyTorch order). 1-D
    /// tensors (norms, biases) stay F32, as both convert_hf_to_gguf.py and llama-quantize keep them.
    /// <paramref name="hasOutput"/> is false when the output projection is tied to token_embd, which then gets the
    /// output's type, as llama.cpp does. <paramref name="layerCount"/> drives the "use_more_bits" rule of Q4_K_M.
    /// </summary>
    public static GgmlType Choose(GgufFileType fileType, string name, long[] shape, int layerCount, bool hasOutput)
    {
        if (shape.Length < 2) return GgmlType.F32;
        long rowLength = shape[^1];
        GgmlType chosen = fileType switch
        {
            GgufFileType.F32 => GgmlType.F32,
            GgufFileType.F16 => GgmlType.F16,
            GgufFileType.BF16 => GgmlType.BF16,
            GgufFileType.Q8_0 => GgmlType.Q8_0,
            GgufFileType.Q4_0 => GgmlType.Q4_0,
            GgufFileType.Q4_K_M => GgmlType.Q4_K,
            _ => throw new ArgumentOutOfRangeException(nameof(fileType), fileType, null),
        };
        if (fileType is GgufFileType.Q4_0 or GgufFileType.Q4_K_M)
        {
            bool isOutput = name == "output.weight" || (!hasOutput && name == "token_embd.weight");
            int layer = LayerOf(name);
            if (isOutput) chosen = rowLength % chosen.BlockSize() != 0 ? GgmlType.Q8_0 : GgmlType.Q6_K;
            else if (fileType == GgufFileType.Q4_K_M && (name.EndsWith(".attn_v.weight", StringComparison.Ordinal) || name.EndsWith(".ffn_down.weight", StringComparison.Ordinal))
                && UseMoreBits(layer, layerCount))
                chosen = GgmlType.Q6_K;
        }
        return FallBack(chosen, rowLength);
    }

    /// <summary>
    /// llama.cpp's rule for the layers that get more bits in Q4_K_M: the first and last eighth of the layers and every
    /// third layer in between.
    /// </summary>
    public static bool UseMoreBits(int layer, int layerCount) =>
        layer < layerCount / 8 || layer >= 7 * layerCount / 8 || (layer - layerCount / 8) % 3 == 2;

    /// <summary>
    /// A type whose block does not divide the row length is replaced as llama-quantize replaces it (Q4_K → Q5_0,
    /// Q6_K → Q8_0), then by F16 when that does not divide either. llama-quantize stops with "Unsupported tensor size"
    /// where Q8_0 or Q4_0 do not divide a row; here such tensors are written as F16, as convert_hf_to_gguf.py does
    /// for rows that do not fit its quantized types.
    /// </summary>
    static GgmlType FallBack(GgmlType type, long rowLength)
    {
        if (rowLength % type.BlockSize() == 0) return type;
        type = type switch
        {
            GgmlType.Q4_K => GgmlType.Q5_0,
            GgmlType.Q6_K => GgmlType.Q8_0,
            _ => GgmlType.F16,
        };
        return rowLength % type.BlockSize() == 0 ? type : GgmlType.F16;
    }

    static int LayerOf(string name) =>
        name.StartsWith("blk.", StringComparison.Ordinal) && int.TryParse(name.AsSpan(4, name.IndexOf('.', 4) - 4), out int layer) ? layer : -1;

    /// <summary>The bytes of <paramref name="values"/> encoded as <paramref name="type"/>.</summary>
    public static byte[] Encode(GgmlType type, ReadOnlySpan<float> values) => type switch
    {
        GgmlType.F32 => FloatEncoding.F32(values),
        GgmlType.F16 => FloatEncoding.F16(values),
        GgmlType.BF16 => FloatEncoding.BF16(values),
        GgmlType.Q8_0 => Q8_0Quantizer.Quantize(values),
        GgmlType.Q4_0 => Q4_0Quantizer.Quantize(values),
        GgmlType.Q5_0 => Q5_0Quantizer.Quantize(values),
        GgmlType.Q4_K => Q4_KQuantizer.Quantize(values),
        GgmlType.Q6_K => Q6_KQuantizer.Quantize(values),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
