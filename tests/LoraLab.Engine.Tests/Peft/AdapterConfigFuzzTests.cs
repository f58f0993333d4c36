using System.Text.Json.Nodes;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Engine.Peft.PromptTuning;
using LoraLab.Engine.Tests.Files;
using LoraLab.Engine.Tests.Models;

namespace LoraLab.Engine.Tests.Peft;

/// <summary>
/// Hundreds of corrupted adapter_config.json files beside a valid adapter_model.safetensors, loaded onto a tiny model
/// as an imported adapter is: each loads, or is refused with the adapter readers' own exceptions naming the adapter
/// folder; none throws anything else or allocates without bound.
/// </summary>
public sealed class AdapterConfigFuzzTests : IDisposable
{
    /// <summary>A tiny model per mutant, and the adapter's few tensors, take well under this.</summary>
    const long AllocationAllowance = 16 << 20;

    static readonly ModelConfig Tiny = TinyModels.Named("qwen2-qkv-bias");

    readonly string _folder = Directory.CreateTempSubdirectory("loralab-adapter-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    static bool IsRefusal(Exception e) => e is PeftConfigException or AdapterMismatchException;

    [Fact]
    public void Every_corrupted_lora_adapter_config_loads_or_is_refused_naming_the_adapter_folder()
    {
        using (var lm = TinyModels.Create(Tiny))
        {
            var config = new LoraConfig
            {
                R = 4, LoraAlpha = 8, UseDora = true, TargetModules = ["q_proj", "v_proj", "down_proj"],
                RankPattern = new Dictionary<string, int> { ["down_proj"] = 2 }, BaseModelNameOrPath = "Qwen/Qwen2.5-0.5B",
            };
            LoraInjection.Inject(lm, config, "default");
            PeftLoraFiles.Save(lm, "default", config, _folder);
        }

        var outcome = Fuzz.Run(Mutants(), ConfigPath, Load, IsRefusal, AllocationAllowance, named: _folder);

        Assert.Empty(outcome.Problems);
        Assert.True(outcome.Accepted >= 20 && outcome.Refused >= 100, outcome.ToString());
    }

    [Fact]
    public void Every_corrupted_prompt_tuning_adapter_config_loads_or_is_refused_naming_the_adapter_folder()
    {
        using (var lm = TinyModels.Create(Tiny))
        {
            var method = new PromptTuningMethod(new PromptTuningConfig { NumVirtualTokens = 3 });
            method.Attach(lm);
            method.Save(lm, _folder);
        }

        var outcome = Fuzz.Run(Mutants(), ConfigPath, Load, IsRefusal, AllocationAllowance, named: _folder);

        Assert.Empty(outcome.Problems);
        Assert.True(outcome.Accepted >= 20 && outcome.Refused >= 100, outcome.ToString());
    }

    string ConfigPath => Path.Combine(_folder, AdapterFolder.ConfigFile);

    /// <summary>Syntax-preserving mutants of the config the engine wrote, then byte-level ones.</summary>
    IEnumerable<Mutant> Mutants()
    {
        var valid = JsonNode.Parse(File.ReadAllText(ConfigPath))!;
        return Mutations.OfJson(valid, count: 300, seed: 31).Select(m => new Mutant(m.Name, Mutations.Utf8(m.Json)))
            .Concat(Mutations.OfBytes(Mutations.Utf8(valid), count: 150, seed: 131))
            .ToList();
    }

    /// <summary>Onto a fresh model each time, as an import does, since a loaded adapter stays on the model.</summary>
    IEnumerable<string> Load()
    {
        using var lm = TinyModels.Create(Tiny);
        AdapterFiles.Load(lm, _folder);
        return [];
    }
}
