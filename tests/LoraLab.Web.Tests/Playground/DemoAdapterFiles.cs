using LoraLab.Engine.Devices;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Web.Tests.Playground;

/// <summary>
/// The bundled demo model, and LoRA adapters for it that stand in for trained ones: their B factors are random, not
/// zero, so each adapter changes the model's answers in its own way.
/// </summary>
public static class DemoAdapterFiles
{
    public static string DemoModel => Path.Combine(RepositoryRoot(), "src", "LoraLab.Demo", "model");

    /// <summary>The trained adapters checked in beside the demo model, one folder per task.</summary>
    public static string BundledAdapters => Path.Combine(RepositoryRoot(), "src", "LoraLab.Demo", "adapters");

    /// <summary>Writes {folder}/{task}/ in PEFT layout for every task, each from its own seed; returns <paramref name="folder"/>.</summary>
    public static string Write(string folder, params string[] tasks)
    {
        using var lm = PretrainedModel.Load(DemoModel, ComputeDevice.Cpu);
        var config = new LoraConfig { R = 4, LoraAlpha = 8, TargetModules = ["q_proj", "v_proj"] };
        for (int t = 0; t < tasks.Length; t++)
        {
            var adapters = LoraInjection.Inject(lm, config, tasks[t]);
            var generator = new Generator((ulong)(t + 1));
            using (no_grad())
                foreach (var adapter in adapters.Values)
                {
                    adapter.lora_A.normal_(0, 0.3, generator);
                    adapter.lora_B.normal_(0, 0.3, generator);
                }
            PeftLoraFiles.Save(lm, tasks[t], config, Path.Combine(folder, tasks[t]));
        }
        return folder;
    }

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Web.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"No Web.sln above {AppContext.BaseDirectory}.");
    }
}
