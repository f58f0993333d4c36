using System.Text.Json.Nodes;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft.Bottleneck;
using LoraLab.Engine.Peft.Dora;
using LoraLab.Engine.Peft.Ia3;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Engine.Peft.PrefixTuning;
using LoraLab.Engine.Peft.PromptTuning;
using LoraLab.Engine.Peft.QLora;
using LoraLab.Engine.Peft.Selective;

namespace LoraLab.Engine.Peft.Methods;

/// <summary>
/// Every fine-tuning method, each registered once, in the order the studio lists them: what every per-method table
/// (method lists, adapter type → method, settings, validation, counts, memory) reads. A new method is one folder
/// under Peft/ (its layers, files and spec type) and one line here.
/// </summary>
public static class MethodRegistry
{
    public static IReadOnlyList<MethodSpec> All { get; } =
    [
        new LoraMethodSpec(),
        new DoraMethodSpec(),
        new QLoraMethodSpec(),
        new PromptTuningMethodSpec(),
        new PrefixTuningMethodSpec(),
        new Ia3MethodSpec(),
        new BottleneckMethodSpec(),
        new SelectiveMethodSpec(),
        new FullFineTuningMethodSpec(),
    ];

    public static IReadOnlyList<string> Names { get; } = All.Select(s => s.Name).ToArray();

    /// <summary>The peft_type values of the adapter folders the engine reads, each once.</summary>
    public static IReadOnlyList<string> PeftTypes { get; } = All.Select(s => s.PeftType).Distinct().ToArray();

    public static MethodSpec? Find(string name) => All.FirstOrDefault(s => s.Name == name);

    /// <exception cref="PeftConfigException">No method has that name; the message lists the known ones.</exception>
    public static MethodSpec Get(string name) => Find(name) ?? throw new PeftConfigException(UnknownMethod(name));

    /// <summary>The method whose saved adapters look like this adapter_config.json (a QLoRA adapter reads back as LoRA), or null.</summary>
    public static MethodSpec? OfAdapter(JsonObject adapterConfig) => All.FirstOrDefault(s => s.Describes(adapterConfig));

    /// <summary>Every wrong method setting at once, by field; never throws for bad input.</summary>
    public static IReadOnlyList<MethodFieldError> Validate(MethodOptions options, ModelConfig? model) =>
        Find(options.Method) is { } spec ? spec.Validate(options, model) : [new MethodFieldError(MethodFieldError.Whole, UnknownMethod(options.Method))];

    static string UnknownMethod(string name) => $"method must be one of {string.Join(", ", Names)}, got '{name}'.";
}
