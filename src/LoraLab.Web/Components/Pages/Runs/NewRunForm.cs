using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Engine.Peft.Methods;
using LoraLab.Engine.Training;
using LoraLab.Web.Training;

namespace LoraLab.Web.Components.Pages.Runs;

/// <summary>
/// The new-run page's fields. Its settings are checked by <see cref="RunSettings.Check"/>, as <c>POST /api/runs</c>
/// checks them; the page's own rules cover name, model and dataset.
/// </summary>
public sealed class NewRunForm
{
    public string Name { get; set; } = "";
    public int? BaseModelId { get; set; }
    public int? DatasetId { get; set; }
    public string Method { get; private set; } = "lora";

    public MethodOptions MethodOptions { get; set; } = new();
    public TrainingOptions Training { get; set; } = new() { LearningRate = MethodChoices.Of("lora").LearningRate };

    /// <summary>Sequence length, packing and the evaluation split; 10% held out unless changed.</summary>
    public DataOptions Data { get; set; } = new() { ValidationFraction = 0.1 };

    /// <summary>Switches method and resets the method's settings and learning rate to that method's defaults.</summary>
    public void SetMethod(string method, ModelConfig? model)
    {
        Method = method;
        MethodOptions = MethodRegistry.Get(method).DefaultsFor(model) with
        {
            // LoRA's default, all-linear, spelled out as the picker shows it.
            TargetModules = model is null ? [LoraConfig.AllLinear] : TargetableModules(model),
        };
        Training = Training with { LearningRate = MethodChoices.Of(method).LearningRate };
    }

    /// <summary>The module names a LoRA adapter can wrap on this model: the attention and MLP projections.</summary>
    /// <remarks>An untied lm_head is a linear layer too, but the engine's CausalLM cannot carry an adapter on it.</remarks>
    public static IReadOnlyList<string> TargetableModules(ModelConfig model) => ParameterLayout.LinearNames(model).Where(n => n != "lm_head").ToList();

    /// <summary>Every field that is wrong, by field name (name, baseModelId, r, batch_size, max_length, …), with its message.</summary>
    public IReadOnlyDictionary<string, string> Validate(ModelConfig? model, bool datasetExists)
    {
        var errors = new Dictionary<string, string>();
        if (string.IsNullOrWhiteSpace(Name)) errors["name"] = "A run needs a name.";
        else if (Name.Trim().Length > RunQueue.MaxNameLength) errors["name"] = $"At most {RunQueue.MaxNameLength} characters, got {Name.Trim().Length}.";
        if (BaseModelId is null) errors["baseModelId"] = "Choose the base model to fine-tune.";
        if (DatasetId is null || !datasetExists) errors["datasetId"] = "Choose the dataset to train on.";

        foreach (var error in Settings.Check(model))
            errors.TryAdd(error.Field, error.Message);
        return errors;
    }

    /// <summary>The form's settings as the records the studio checks, stores and hands to the engine.</summary>
    public RunSettings Settings => new(MethodOptions with { Method = Method }, Training, Data);

    /// <summary>The memory the run needs at its peak, from the model's shape, the method and the batch.</summary>
    public MemoryEstimate EstimateMemory(ModelConfig model) => MemoryEstimator.Estimate(model, MethodOptions, Training, Data.MaxLength);
}
