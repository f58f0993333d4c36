using LoraLab.Engine.Export.Gguf;

namespace LoraLab.Engine.Tests.Export;

/// <summary>
/// The quantizers write the bytes ggml's reference C code writes: on blocks worked out by hand from the formulas, and
/// byte for byte against ggml's own <c>quantize_row_*_ref</c> on varied data.
/// </summary>
public sealed class GgufQuantizerTests
{
    /// <summary>Rows of Gaussian-ish values at several magnitudes, with an all-zero block, a constant block and outliers.</summary>
    static float[] VariedValues(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            double gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            double magnitude = (i / 256 % 4) switch { 0 => 0.02, 1 => 1.0, 2 => 30.0, _ => 1e-4 };
            values[i] = (float)(gaussian * magnitude);
        }
        values.AsSpan(256, 256).Clear();                       // a whole zero super-block
        values.AsSpan(512, 32).Fill(0.75f);                    // a constant block
        values[700] = 250f; values[900] = -180f;               // outliers
        for (int i = 1024; i < 1024 + 256; i++) values[i] = Math.Abs(values[i]);   // a block with no negative value
        return values;
    }

    public static TheoryData<GgmlType, string> Types() => new()
    {
        { GgmlType.Q8_0, "quantize_row_q8_0_ref" },
        { GgmlType.Q4_0, "quantize_row_q4_0_ref" },
        { GgmlType.Q5_0, "quantize_row_q5_0_ref" },
        { GgmlType.Q4_K, "quantize_row_q4_K_ref" },
        { GgmlType.Q6_K, "quantize_row_q6_K_ref" },
    };

    [Theory]
    [MemberData(nameof(Types))]
    public void Every_quantizer_writes_the_bytes_of_ggmls_reference_quantizer(GgmlType type, string reference)
    {
        foreach (int seed in new[] { 1, 2, 3 })
        {
            var values = VariedValues(256 * 8, seed);

            var ours = GgufTensorTypes.Encode(type, values);
            var theirs = GgmlReference.Quantize(reference, values, type.ByteCount(values.Length));

            Assert.Equal(theirs, ours);
        }
    }

    [Fact]
    public void A_q8_0_block_scales_by_the_largest_magnitude_and_rounds_halves_away_from_zero()
    {
        var x = new float[32];
        x[0] = 127f; x[1] = -2.5f; x[2] = 2.5f; x[3] = 0.49f;   // d = 127/127 = 1, so the levels are round(x)

        var block = Q8_0Quantizer.Quantize(x);

        byte[] expected = [0x00, 0x3C, 127, unchecked((byte)-3), 3, 0, .. new byte[28]];   // f16 1.0 = 0x3C00
        Assert.Equal(expected, block);
    }

    [Fact]
    public void A_q4_0_block_takes_its_scale_from_the_signed_extreme_and_packs_value_j_and_j_plus_16_in_one_byte()
    {
        var x = new float[32];
        x[0] = -8f; x[16] = 7f;      // d = −8/−8 = 1; levels trunc(x + 8.5): 0 and 15
        x[1] = 0.5f; x[17] = -0.5f;  // 9 and 8
        x[2] = 7.9f;                 // 16, clamped to 15

        var block = Q4_0Quantizer.Quantize(x);

        Assert.Equal([0x00, 0x3C], block[..2]);
        Assert.Equal(0xF0, block[2]);
        Assert.Equal(0x89, block[3]);
        Assert.Equal(0x8F, block[4]);
        Assert.All(block[5..], b => Assert.Equal(0x88, b));
    }

    [Fact]
    public void An_all_zero_q6_k_block_is_all_zero_bytes()
    {
        Assert.All(Q6_KQuantizer.Quantize(new float[256]), b => Assert.Equal(0, b));
    }

    [Fact]
    public void A_q4_k_block_of_one_repeated_ramp_dequantizes_to_within_half_a_level()
    {
        var x = Enumerable.Range(0, 256).Select(i => (float)(i % 32) / 31f).ToArray();   // each sub-block 0..1 in 31 steps

        var block = Q4_KQuantizer.Quantize(x);

        float d = FloatEncoding.FromF16Bits(BitConverter.ToUInt16(block, 0)), dmin = FloatEncoding.FromF16Bits(BitConverter.ToUInt16(block, 2));
        var (scale, min) = Q4_KQuantizer.ScaleMin(0, block.AsSpan(4, 12));
        for (int i = 0; i < 32; i++)
        {
            float dequantized = d * scale * (block[16 + i] & 0xF) - dmin * min;
            Assert.InRange(Math.Abs(dequantized - x[i]), 0, 0.5f / 15 + 1e-3f);
        }
    }

    [Theory]
    [InlineData(1.0f + 1f / 2048, (ushort)0x3C00)]       // halfway between 1 and the next half: ties to the even 1.0
    [InlineData(1.0f + 3f / 2048, (ushort)0x3C02)]       // halfway between 1+2⁻¹⁰ and 1+2⁻⁹: ties to the even 1+2⁻⁹
    [InlineData(65520f, (ushort)0x7C00)]                 // past the largest half: infinity
    public void F16_conversion_rounds_to_nearest_even(float value, ushort bits)
    {
        Assert.Equal(bits, FloatEncoding.ToF16Bits(value));
    }

    [Theory]
    [InlineData(1.0f + 1f / 256, (ushort)0x3F80)]
    [InlineData(1.0f + 3f / 256, (ushort)0x3F82)]
    public void Bf16_conversion_rounds_to_nearest_even(float value, ushort bits)
    {
        Assert.Equal(bits, FloatEncoding.ToBF16Bits(value));
    }
}
