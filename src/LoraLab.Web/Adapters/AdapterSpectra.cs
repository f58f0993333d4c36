using LoraLab.Engine.Checkpoints;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Web.Adapters;

/// <summary>The rank spectrum of a library adapter: the singular values of each module's update ΔW = s·B·A.</summary>
public sealed class AdapterSpectra(AdapterStore adapters)
{
    public async Task<Result<AdapterSpectrum>> ReadAsync(int adapterId, CancellationToken cancellation = default)
    {
        if (await adapters.FindAsync(adapterId, cancellation) is not { } adapter) return Failure.NotFound("Adapter", adapterId);
        if (AdapterConfigFile.Read(adapter.Folder) is not { IsLora: true })
            return new Failure(FailureKind.Invalid, "No rank spectrum",
                $"Adapter {adapterId} ('{adapter.Name}') is a {adapter.Method} adapter; only LoRA and DoRA adapters have low-rank updates to analyse.");
        try
        {
            return await Task.Run(() => RankSpectrum.Read(adapter.Folder), cancellation);
        }
        catch (Exception e) when (e is PeftConfigException or CheckpointFormatException or IOException)
        {
            return new Failure(FailureKind.Invalid, "The adapter's files cannot be read", e.Message);
        }
    }
}
