using LoraLab.Engine.Generation;

namespace LoraLab.Engine.Tests.Generation;

public class SamplingOptionsTests
{
    public static TheoryData<SamplingOptions, string> InvalidOptions() => new()
    {
        { new SamplingOptions { TopP = 1.5 }, "top_p must be in (0, 1], got 1.5" },
        { new SamplingOptions { TopP = 0 }, "top_p must be in (0, 1], got 0" },
        { new SamplingOptions { Temperature = -0.5 }, "temperature must be a finite number >= 0 (0 = greedy), got -0.5" },
        { new SamplingOptions { TopK = -1 }, "top_k must be >= 0 (0 = off), got -1" },
        { new SamplingOptions { MaxNewTokens = 0 }, "max_new_tokens must be positive, got 0" },
        { new SamplingOptions { RepetitionPenalty = 0 }, "repetition_penalty must be a finite number > 0 (1 = off), got 0" },
        { new SamplingOptions { StopStrings = ["\n", ""] }, "stop_strings[1] is empty" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Invalid_options_are_refused_naming_the_field_and_the_value(SamplingOptions options, string message)
    {
        var e = Assert.Throws<ArgumentException>(options.Validate);

        Assert.StartsWith(message, e.Message);
    }

    [Fact]
    public void The_defaults_sample_with_transformers_defaults_and_greedy_is_temperature_zero()
    {
        var defaults = new SamplingOptions();

        defaults.Validate();
        SamplingOptions.Greedy.Validate();

        Assert.Equal((128, 1.0, 0, 1.0, 1.0, false), (defaults.MaxNewTokens, defaults.Temperature, defaults.TopK, defaults.TopP, defaults.RepetitionPenalty, defaults.IsGreedy));
        Assert.True(SamplingOptions.Greedy.IsGreedy);
    }
}
