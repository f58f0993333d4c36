using LoraLab.Engine.Training;

namespace LoraLab.Engine.Tests.Training;

public class TrainingOptionsTests
{
    public static TheoryData<TrainingOptions, string> Invalid() => new()
    {
        { new TrainingOptions { LearningRate = -1e-4 }, "learning_rate must be positive, got -0.0001." },
        { new TrainingOptions { LearningRate = double.NaN }, "learning_rate must be positive, got NaN." },
        { new TrainingOptions { WarmupRatio = 1.5 }, "warmup_ratio must be within [0, 1], got 1.5." },
        { new TrainingOptions { MaxSteps = 0 }, "max_steps must be positive, got 0." },
        { new TrainingOptions { Epochs = 0 }, "num_train_epochs must be positive, got 0." },
        { new TrainingOptions { GradientAccumulationSteps = 0 }, "gradient_accumulation_steps must be positive, got 0." },
        { new TrainingOptions { MaxGradNorm = 0 }, "max_grad_norm must be positive, got 0." },
        { new TrainingOptions { AdamBeta2 = 1 }, "adam_beta2 must be within [0, 1), got 1." },
        { new TrainingOptions { EarlyStoppingPatience = 2 }, "early_stopping_patience needs eval_steps: early stopping watches the validation loss." },
        { new TrainingOptions { SaveTotalLimit = -1 }, "save_total_limit must be positive, got -1." },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_options_name_the_field_and_the_value(TrainingOptions options, string message)
    {
        var e = Assert.Throws<TrainingConfigException>(options.Validate);

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Every_broken_rule_is_listed_once_with_its_field()
    {
        var options = new TrainingOptions { LearningRate = -1, WarmupSteps = -1, AdamBeta1 = 1.5, EarlyStoppingPatience = 0, SaveTotalLimit = 0 };

        Assert.Equal(["learning_rate", "warmup_steps", "adam_beta1", "early_stopping_patience", "save_total_limit"], options.Problems().Select(p => p.Field));
        Assert.Empty(new TrainingOptions().Problems());
    }

    [Fact]
    public void Options_round_trip_through_json_with_transformers_names()
    {
        var options = new TrainingOptions
        {
            LearningRate = 1e-3, Schedule = LearningRateSchedule.Cosine, WarmupRatio = 0.05, Epochs = 3, MaxGradNorm = null,
            EvalSteps = 50, EarlyStoppingPatience = 3, Precision = ComputePrecision.Bf16, GradientCheckpointing = true,
        };

        string json = options.ToJson();
        var back = TrainingOptions.FromJson(json, "training_options.json");

        Assert.Equal(options, back);
        Assert.Contains("\"lr_scheduler_type\": \"cosine\"", json);
        Assert.Contains("\"compute_precision\": \"bf16\"", json);
        Assert.Contains("\"gradient_accumulation_steps\": 1", json);
        Assert.Contains("\"num_train_epochs\": 3", json);
    }

    [Fact]
    public void Json_with_an_unknown_schedule_or_a_bad_value_names_the_file()
    {
        var unknown = Assert.Throws<TrainingConfigException>(() => TrainingOptions.FromJson("""{"lr_scheduler_type": "polynomial"}""", "run.json"));
        var bad = Assert.Throws<TrainingConfigException>(() => TrainingOptions.FromJson("""{"learning_rate": 0}""", "run.json"));

        Assert.StartsWith("run.json: ", unknown.Message);
        Assert.Contains("lr_scheduler_type", unknown.Message);
        Assert.Equal("run.json: learning_rate must be positive, got 0.", bad.Message);
    }
}
