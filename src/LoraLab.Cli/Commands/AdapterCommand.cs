using System.CommandLine;
using System.Globalization;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Cli.Commands;

/// <summary>
/// <c>loralab adapter spectrum DIR [--json]</c>: the singular values of every LoRA/DoRA update ΔW = s·B·A in an
/// adapter folder, with the effective rank that holds 90 % and 99 % of each update's energy.
/// </summary>
static class AdapterCommand
{
    public static Command Create() => new("adapter", "Inspect adapter folders.") { Spectrum() };

    static Command Spectrum()
    {
        var folder = new Argument<string>("DIR") { Description = "A LoRA or DoRA adapter folder (adapter_config.json + adapter_model.safetensors)." };
        var json = CommonOptions.Json();
        var command = new Command("spectrum", "Singular values and effective rank (90 % / 99 % energy) of each module's ΔW = s·B·A.") { folder, json };
        command.SetAction(parse =>
        {
            var spectrum = RankSpectrum.Read(parse.GetValue(folder)!);
            if (parse.GetValue(json))
            {
                JsonOutput.Print(new
                {
                    r = spectrum.R,
                    use_dora = spectrum.UseDora,
                    modules = spectrum.Modules.Select(m => new
                    {
                        module = m.Module, layer = m.Layer, name = m.Name, rank = m.Rank, scaling = m.Scaling,
                        singular_values = m.SingularValues, effective_rank_90 = m.EffectiveRank90, effective_rank_99 = m.EffectiveRank99,
                    }),
                });
                return;
            }
            int width = spectrum.Modules.Max(m => m.Module.Length);
            Console.WriteLine($"{"module".PadRight(width)}  rank  r90  r99  singular values");
            foreach (var m in spectrum.Modules)
                Console.WriteLine($"{m.Module.PadRight(width)}  {m.Rank,4}  {m.EffectiveRank90,3}  {m.EffectiveRank99,3}  " +
                    string.Join(' ', m.SingularValues.Select(s => s.ToString("G4", CultureInfo.InvariantCulture))));
        });
        return command;
    }
}
