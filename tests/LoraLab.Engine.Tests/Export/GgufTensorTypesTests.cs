using LoraLab.Engine.Export.Gguf;

namespace LoraLab.Engine.Tests.Export;

/// <summary>The type each tensor gets follows llama.cpp's llama_tensor_get_type for the llama family.</summary>
public sealed class GgufTensorTypesTests
{
    static GgmlType Q4KM(string name, long rows, long columns, int layers = 32, bool hasOutput = true) =>
        GgufTensorTypes.Choose(GgufFileType.Q4_K_M, name, [rows, columns], layers, hasOutput);

    [Fact]
    public void Use_more_bits_picks_the_first_and_last_eighth_and_every_third_layer_between_for_32_layers()
    {
        var chosen = Enumerable.Range(0, 32).Where(l => GgufTensorTypes.UseMoreBits(l, 32)).ToArray();

        Assert.Equal([0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31], chosen);
    }

    [Fact]
    public void Q4_k_m_gives_q6_k_to_output_and_to_attn_v_and_ffn_down_of_the_more_bits_layers_only()
    {
        Assert.Equal(GgmlType.Q6_K, Q4KM("output.weight", 32000, 4096));
        Assert.Equal(GgmlType.Q4_K, Q4KM("token_embd.weight", 32000, 4096));
        Assert.Equal(GgmlType.Q6_K, Q4KM("blk.0.attn_v.weight", 1024, 4096));
        Assert.Equal(GgmlType.Q4_K, Q4KM("blk.4.attn_v.weight", 1024, 4096));
        Assert.Equal(GgmlType.Q6_K, Q4KM("blk.6.ffn_down.weight", 4096, 14336));
        Assert.Equal(GgmlType.Q4_K, Q4KM("blk.7.ffn_down.weight", 4096, 14336));
        Assert.Equal(GgmlType.Q4_K, Q4KM("blk.0.attn_q.weight", 4096, 4096));
        Assert.Equal(GgmlType.F32, GgufTensorTypes.Choose(GgufFileType.Q4_K_M, "blk.0.attn_norm.weight", [4096], 32, true));
    }

    [Fact]
    public void A_tied_token_embedding_is_quantized_as_the_output_would_be()
    {
        Assert.Equal(GgmlType.Q6_K, Q4KM("token_embd.weight", 32000, 4096, hasOutput: false));
    }

    [Fact]
    public void Rows_that_no_k_block_divides_fall_back_as_llama_quantize_does_and_then_to_f16()
    {
        Assert.Equal(GgmlType.Q5_0, Q4KM("blk.1.ffn_up.weight", 704, 256 + 64));     // Q4_K → Q5_0
        Assert.Equal(GgmlType.Q8_0, Q4KM("blk.0.ffn_down.weight", 256, 704));         // Q6_K → Q8_0
        Assert.Equal(GgmlType.Q8_0, Q4KM("output.weight", 1024, 64 * 5));             // output: Q8_0 when 256 does not divide
        Assert.Equal(GgmlType.F16, Q4KM("blk.1.attn_q.weight", 48, 48));              // 48 fits neither 256 nor 32
        Assert.Equal(GgmlType.F16, GgufTensorTypes.Choose(GgufFileType.Q8_0, "blk.0.ffn_down.weight", [64, 176], 2, true));
    }
}
