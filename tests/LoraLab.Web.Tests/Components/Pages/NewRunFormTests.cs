using System.Text.Json;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Training;
using LoraLab.Web.Components.Pages.Runs;

namespace LoraLab.Web.Tests.Components.Pages;

public sealed class NewRunFormTests
{
    [Fact]
    public void The_training_section_reads_back_as_the_same_training_options()
    {
        var form = new NewRunForm { Training = new TrainingOptions { LearningRate = 1e-3, BatchSize = 2, MaxSteps = 50, EvalSteps = 10, Precision = ComputePrecision.Bf16 } };

        var training = TrainingOptions.FromJson(form.Configuration()["training"]!.ToJsonString(), "training");

        Assert.Equal(form.Training, training);
    }

    [Fact]
    public void The_method_section_holds_only_what_the_method_reads_and_reads_back_as_the_same_choice()
    {
        var form = new NewRunForm();
        form.SetMethod("qlora", model: null);
        form.MethodOptions = form.MethodOptions with { R = 4, TargetModules = ["q_proj", "v_proj"], QuantType = "fp4" };

        var method = form.Configuration()["method"]!.AsObject();
        var read = method.Deserialize<MethodOptions>(new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower })!;

        Assert.Equal(["method", "r", "lora_alpha", "lora_dropout", "target_modules", "use_rslora", "init_lora_weights", "quant_type", "double_quant"],
            method.Select(p => p.Key));
        Assert.Equal(("qlora", 4, "fp4"), (read.Method, read.R, read.QuantType));
        Assert.Equal(["q_proj", "v_proj"], read.TargetModules);
    }

    [Fact]
    public void The_data_section_reads_back_as_the_same_data_options()
    {
        var form = new NewRunForm { Data = new DataOptions { MaxLength = 128, Pack = true, ValidationFraction = 0.2 } };

        var data = form.Configuration()["data"].Deserialize<DataOptions>(new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });

        Assert.Equal(form.Data, data);
    }

    [Fact]
    public void Full_fine_tuning_in_half_precision_is_refused_at_the_precision()
    {
        var form = new NewRunForm { Name = "full-bf16", BaseModelId = 1, DatasetId = 1 };
        form.SetMethod("full", model: null);
        form.Training = form.Training with { Precision = ComputePrecision.Bf16 };

        var errors = form.Validate(model: null, datasetExists: true);

        Assert.Equal(["compute_precision"], errors.Keys);
        Assert.Equal("full fine-tuning trains the base weights, which must then be float32.", errors["compute_precision"]);
    }

    [Fact]
    public void Methods_without_settings_store_only_their_name()
    {
        var form = new NewRunForm();
        form.SetMethod("ia3", model: null);

        Assert.Equal("""{"method":"ia3"}""", form.Configuration()["method"]!.ToJsonString());
    }

    [Fact]
    public void Switching_method_takes_that_methods_learning_rate()
    {
        var form = new NewRunForm();

        form.SetMethod("full", model: null);

        Assert.Equal(2e-5, form.Training.LearningRate);
    }
}
