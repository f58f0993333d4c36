using LoraLab.Web.Sweeps;

namespace LoraLab.Web.Tests.Sweeps;

public sealed class SweepFieldsTests
{
    [Fact]
    public void A_lora_sweep_can_vary_the_rank_alpha_dropout_and_the_numeric_training_and_data_settings()
    {
        var keys = SweepFields.For("lora").Select(f => f.Key).ToList();

        Assert.Equal(["method.r", "method.lora_alpha", "method.lora_dropout"], keys.Where(k => k.StartsWith("method.", StringComparison.Ordinal)));
        Assert.Contains("training.learning_rate", keys);
        Assert.Contains("training.num_train_epochs", keys);
        Assert.Contains("data.max_length", keys);
        Assert.DoesNotContain("training.lr_scheduler_type", keys);
        Assert.DoesNotContain("data.pack", keys);
    }

    [Fact]
    public void Integer_settings_are_whole_numbers_and_rates_are_not()
    {
        var fields = SweepFields.For("lora").ToDictionary(f => f.Key, f => f.WholeNumber);

        Assert.Equal((true, false, true), (fields["method.r"], fields["training.learning_rate"], fields["training.batch_size"]));
    }

    [Fact]
    public void A_field_the_method_does_not_read_is_refused_naming_those_it_does()
    {
        var errors = SweepFields.Check([new("method", "r", [8]), new("method", "colour", [1])], "prompt");

        Assert.Equal(["settings[0].field", "settings[1].field"], errors.Keys.Order());
        Assert.StartsWith("'r' is no numeric method setting of prompt; one of num_virtual_tokens", errors["settings[0].field"].Single());
    }

    [Fact]
    public void A_fraction_for_an_integer_setting_is_refused()
    {
        Assert.Equal(["r takes whole numbers, got 8.5."], SweepFields.Check([new("method", "r", [8, 8.5])], "lora")["settings[0].values"]);
    }
}
