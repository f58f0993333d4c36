using LoraLab.Web.Models;

namespace LoraLab.Web.Tests.Models;

public class ParameterCountFormatTests
{
    [Theory]
    [InlineData(134_515_008, "135M")]      // SmolLM2-135M
    [InlineData(494_032_768, "494M")]      // Qwen2.5-0.5B
    [InlineData(1_235_814_400, "1.2B")]    // Llama-3.2-1B
    [InlineData(7_241_732_096, "7.2B")]    // Mistral-7B-v0.1
    [InlineData(8_030_261_248, "8B")]      // Llama-3.1-8B
    [InlineData(70_553_706_496, "70.6B")]  // Llama-3.1-70B
    public void Published_model_sizes_read_as_the_model_names_write_them(long parameters, string expected) =>
        Assert.Equal(expected, ParameterCountFormat.Format(parameters));

    [Theory]
    [InlineData(0, "0")]
    [InlineData(950, "950")]
    [InlineData(1_000, "1K")]
    [InlineData(202_048, "202K")]
    [InlineData(12_345_678, "12.3M")]
    public void Small_counts_keep_three_significant_digits_at_most(long parameters, string expected) =>
        Assert.Equal(expected, ParameterCountFormat.Format(parameters));

    [Theory]
    [InlineData(999_999, "1M")]
    [InlineData(999_960_000, "1B")]
    public void A_count_that_rounds_to_a_thousand_moves_to_the_next_unit(long parameters, string expected) =>
        Assert.Equal(expected, ParameterCountFormat.Format(parameters));
}
