using System.Text.Json;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Cli.Tests;

public sealed class AdapterCommandTests : IClassFixture<TinyModelFolder>, IDisposable
{
    readonly TinyModelFolder model;
    readonly string adapterDir = Directory.CreateTempSubdirectory("loralab-cli-spectrum-").FullName;

    public AdapterCommandTests(TinyModelFolder model) => this.model = model;

    public void Dispose() => Directory.Delete(adapterDir, recursive: true);

    [Fact]
    public void Spectrum_prints_each_modules_singular_values_and_effective_ranks_as_json()
    {
        using (var lm = PretrainedModel.Load(model.Directory, ComputeDevice.Cpu))
        {
            var config = new LoraConfig { R = 3, LoraAlpha = 6, TargetModules = ["q_proj", "v_proj"] };
            foreach (var a in LoraInjection.Inject(lm, config, "default").Values)
                using (no_grad()) { a.lora_A.normal_(); a.lora_B.normal_(); }
            PeftLoraFiles.Save(lm, "default", config, adapterDir);
        }
        var expected = RankSpectrum.Read(adapterDir);

        var run = LoralabProcess.Run("adapter", "spectrum", adapterDir, "--json");

        Assert.True(run.ExitCode == 0, run.StdErr);
        var output = JsonDocument.Parse(run.StdOut).RootElement;
        Assert.Equal(3, output.GetProperty("r").GetInt32());
        var modules = output.GetProperty("modules").EnumerateArray().ToList();
        Assert.Equal(expected.Modules.Select(m => m.Module), modules.Select(m => m.GetProperty("module").GetString()));
        foreach (var (printed, module) in modules.Zip(expected.Modules))
        {
            Assert.Equal(module.SingularValues, printed.GetProperty("singular_values").EnumerateArray().Select(v => v.GetDouble()));
            Assert.Equal((module.EffectiveRank90, module.EffectiveRank99),
                (printed.GetProperty("effective_rank_90").GetInt32(), printed.GetProperty("effective_rank_99").GetInt32()));
        }
    }

    [Fact]
    public void Spectrum_of_a_folder_without_an_adapter_is_one_sentence_on_stderr()
    {
        var run = LoralabProcess.Run("adapter", "spectrum", Path.Combine(adapterDir, "missing"));

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error: ", run.StdErr);
        Assert.Contains("adapter_config.json does not exist", run.StdErr);
    }
}
