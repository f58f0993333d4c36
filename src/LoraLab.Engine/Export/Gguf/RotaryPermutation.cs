namespace LoraLab.Engine.Export.Gguf;

/// <summary>
/// Hugging Face's Llama checkpoints rotate the two halves of each head (rotate_half); llama.cpp's <c>llama</c>
/// architecture rotates interleaved pairs. convert_hf_to_gguf.py's <c>LlamaModel.permute</c> reorders the rows of
/// q_proj and k_proj (weights and biases) so that the interleaved rotation computes the same thing: within each head,
/// row (half h, index i) moves to row (index i, half h). Qwen2 and Qwen3 use llama.cpp's NEOX rotation, which is
/// rotate_half, and are not permuted.
/// </summary>
public static class RotaryPermutation
{
    /// <summary>
    /// Rows of <paramref name="values"/> (rows × rowLength, row-major) permuted for <paramref name="heads"/> heads:
    /// reshape (heads, 2, headDim/2, rowLength) → swap axes 1 and 2 → (heads, headDim/2, 2, rowLength).
    /// </summary>
    public static float[] Permute(ReadOnlySpan<float> values, int rows, int rowLength, int heads)
    {
        if (rows % (2 * heads) != 0) throw new ArgumentException($"{rows} rows cannot be split into {heads} heads of two rotary halves.");
        int half = rows / heads / 2;
        var result = new float[values.Length];
        for (int head = 0; head < heads; head++)
            for (int h = 0; h < 2; h++)
                for (int i = 0; i < half; i++)
                {
                    int source = (head * 2 + h) * half + i;   // (head, h, i) in the Hugging Face layout
                    int target = (head * half + i) * 2 + h;   // (head, i, h) in the GGML layout
                    values.Slice(source * rowLength, rowLength).CopyTo(result.AsSpan(target * rowLength, rowLength));
                }
        return result;
    }
}
