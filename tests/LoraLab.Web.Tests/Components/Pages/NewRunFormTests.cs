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
