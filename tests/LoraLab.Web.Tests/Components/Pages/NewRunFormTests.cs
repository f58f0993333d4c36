using System.Text.Json.Nodes;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Training;
using LoraLab.Web.Components.Pages.Runs;
using LoraLab.Web.Training;

namespace LoraLab.Web.Tests.Components.Pages;

public sealed class NewRunFormTests
{
    [Fact]
    public void The_stored_configuration_reads_back_as_the_same_settings()
    {
        var form = new NewRunForm
        {
            Training = new TrainingOptions { LearningRate = 1e-3, BatchSize = 2, MaxSteps = 50, EvalSteps = 10, Precision = ComputePrecision.Bf16 },
            Data = new DataOptions { MaxLength = 128, Pack = true, ValidationFraction = 0.2 },
        };
        form.SetMethod("qlora", model: null);
        form.MethodOptions = form.MethodOptions with { R = 4, TargetModules = ["q_proj", "v_proj"], QuantType = "fp4" };

        var read = RunSettings.FromStored(JsonNode.Parse(form.Settings.ToConfiguration().ToJsonString())!.AsObject(), "qlora");

        Assert.Equal(form.Training, read.Training);
        Assert.Equal(form.Data, read.Data);
        Assert.Equal(("qlora", 4, "fp4"), (read.Method.Method, read.Method.R, read.Method.QuantType));
        Assert.Equal(["q_proj", "v_proj"], read.Method.TargetModules);
    }

    [Fact]
    public void The_method_section_holds_only_what_the_method_reads_and_not_the_method_which_the_run_stores_once()
    {
        var form = new NewRunForm();
        form.SetMethod("qlora", model: null);

        var method = form.Settings.ToConfiguration()["method"]!.AsObject();

        Assert.Equal(["r", "lora_alpha", "lora_dropout", "target_modules", "use_rslora", "init_lora_weights", "quant_type", "double_quant"],
            method.Select(p => p.Key));
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
    public void Methods_without_settings_store_an_empty_method_section()
    {
        var form = new NewRunForm();
        form.SetMethod("ia3", model: null);

        Assert.Equal("{}", form.Settings.ToConfiguration()["method"]!.ToJsonString());
    }

    [Fact]
    public void Switching_method_takes_that_methods_learning_rate()
    {
        var form = new NewRunForm();

        form.SetMethod("full", model: null);

        Assert.Equal(2e-5, form.Training.LearningRate);
    }
}
