using System.CommandLine;

namespace LoraLab.Cli;

/// <summary>Options shared by several commands, declared once so they read the same everywhere.</summary>
static class CommonOptions
{
    public static readonly Option<bool> Verbose = new("--verbose") { Description = "Show stack traces on errors.", Recursive = true };

    public static Option<string> Model() => new("--model") { Description = "A Hugging Face model folder (config.json, safetensors, tokenizer).", Required = true };
    public static Option<string?> Adapter() => new("--adapter") { Description = "An adapter folder (adapter_config.json + adapter_model.safetensors): PEFT LoRA, DoRA, IA3, prompt or prefix tuning, or LoRA Lab's own bottleneck/selective layouts." };
    public static Option<bool> Json() => new("--json") { Description = "Print one JSON object instead of text." };
    public static Option<string> Device() => new("--device") { Description = "auto, cpu or cuda[:N].", DefaultValueFactory = _ => "auto" };
}
