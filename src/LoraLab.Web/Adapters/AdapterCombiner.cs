using System.Globalization;
using LoraLab.Engine.Checkpoints;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Web.Accounts;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Models;
using LoraLab.Web.Storage;

namespace LoraLab.Web.Adapters;

/// <summary>
/// Makes a new adapter from weighted LoRA adapters of one base model (PEFT's add_weighted_adapter, by
/// <see cref="WeightedAdapterCombination"/>, whose rules decide what combines) and registers it in the library. Anyone
/// may combine any adapters, as everyone reads them; the new adapter belongs to the caller and counts against their
/// storage quota.
/// </summary>
public sealed class AdapterCombiner(AdapterStore adapters, ModelRegistry models, DataFolder data, AdapterWork work, Quotas quotas, ComputeDevice device)
{
    const string Combined = "combined";

    public async Task<Result<AdapterSummary>> CombineAsync(
        AdapterCombination request, Caller caller, IProgress<string>? progress = null, CancellationToken cancellation = default)
    {
        var sources = new List<(AdapterSummary Adapter, double Weight)>();
        foreach (var (id, weight) in request.Sources)
        {
            if (await adapters.FindAsync(id, cancellation) is not { } adapter) return Invalid("sources", $"There is no adapter with id {id}.");
            sources.Add((adapter, weight));
        }
        if (Check(request, sources) is { } invalid) return invalid;
        string name = string.IsNullOrWhiteSpace(request.Name) ? string.Join(" + ", sources.Select(s => s.Adapter.Name)) : request.Name.Trim();
        if (name.Length > 200) return Invalid("name", $"The name has {name.Length} characters; at most 200 are allowed.");
        var baseModel = (await models.FindAsync(sources[0].Adapter.BaseModelId, cancellation))!;
        if (baseModel.Error is { } unusable) return Invalid("sources", $"Their base model '{baseModel.Name}' cannot be loaded: {unusable}");
        if (await quotas.CheckStorageAsync(caller, 0, cancellation) is { } full) return full;

        string scratch = data.NewScratchFolder("combine");
        try
        {
            string output = Path.Combine(scratch, Combined);
            progress?.Report($"Loading {baseModel.Name} and the adapters");
            string? error = await work.RunAsync(() => Combine(baseModel.Folder, sources, request.CombinationType, output),
                () => progress?.Report("Waiting for another adapter job to finish"), cancellation);
            if (error is not null)
            {
                // The engine knows the adapters by their keys; people know them by name.
                foreach (var (adapter, _) in sources) error = error.Replace($"'{Key(adapter.Id)}'", $"'{adapter.Name}'", StringComparison.Ordinal);
                return Invalid("sources", error);
            }
            progress?.Report("Registering the new adapter");
            return await adapters.AddAsync(output, name, baseModel.Id, Describe(sources, request.CombinationType), data.LibraryAdapterFolder, caller, AuditAction.AdapterCombined, cancellation);
        }
        finally
        {
            DataFiles.Delete(scratch);
        }
    }

    /// <summary>What can be refused without loading a model: the count, duplicates, weights, the type, mixed bases and non-LoRA methods.</summary>
    static Failure? Check(AdapterCombination request, List<(AdapterSummary Adapter, double Weight)> sources)
    {
        if (sources.Count < 2) return Invalid("sources", "Pick at least two adapters to combine.");
        if (sources.GroupBy(s => s.Adapter.Id).FirstOrDefault(g => g.Count() > 1) is { } twice)
            return Invalid("sources", $"Adapter '{twice.First().Adapter.Name}' is picked twice; give it one weight instead.");
        if (sources.FirstOrDefault(s => !double.IsFinite(s.Weight)) is { Adapter: not null } infinite)
            return Invalid("sources", $"The weight of '{infinite.Adapter.Name}' must be a finite number, not {infinite.Weight.ToString(CultureInfo.InvariantCulture)}.");
        if (!WeightedAdapterCombination.CombinationTypes.Contains(request.CombinationType))
            return Invalid("combinationType", $"The combination type must be {string.Join(" or ", WeightedAdapterCombination.CombinationTypes)}, not '{request.CombinationType}'.");
        var first = sources[0].Adapter;
        if (sources.FirstOrDefault(s => s.Adapter.BaseModelId != first.BaseModelId) is { Adapter: { } other })
            return Invalid("sources", $"'{first.Name}' adapts {first.BaseModelName} but '{other.Name}' adapts {other.BaseModelName}; only adapters of the same base model combine.");
        foreach (var (adapter, _) in sources)
        {
            var config = AdapterConfigFile.Read(adapter.Folder);
            if (config is { UseDora: true, IsLora: true })
                return Invalid("sources", $"'{adapter.Name}' is a DoRA adapter; DoRA's normalised updates cannot be combined as weighted sums.");
            if (config is not { Spec.Combines: true })
                return Invalid("sources", $"'{adapter.Name}' is a {adapter.Method} adapter; only LoRA adapters combine.");
        }
        return null;
    }

    string? Combine(string baseFolder, List<(AdapterSummary Adapter, double Weight)> sources, string combinationType, string output)
    {
        try
        {
            using var lm = PretrainedModel.Load(baseFolder, device);
            foreach (var (adapter, _) in sources)
            {
                try
                {
                    PeftLoraFiles.Load(lm, adapter.Folder, Key(adapter.Id));
                }
                catch (AdapterMismatchException e)
                {
                    return $"'{adapter.Name}': {e.Message}";
                }
            }
            var config = WeightedAdapterCombination.Add(lm, sources.Select(s => (Key(s.Adapter.Id), s.Weight)).ToList(), Combined, combinationType)
                with { BaseModelNameOrPath = AdapterConfigFile.Read(sources[0].Adapter.Folder)?.BaseModelNameOrPath ?? Path.GetFileName(baseFolder) };
            PeftLoraFiles.Save(lm, Combined, config, output);
            return null;
        }
        catch (Exception e) when (e is ModelConfigException or CheckpointFormatException or PeftConfigException or IOException or ArgumentException or InvalidOperationException)
        {
            return e.Message;
        }
    }

    static string Key(int adapterId) => $"adapter_{adapterId.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>"0.7 × a + 0.3 × b (cat)", as the library shows where the adapter came from.</summary>
    static string Describe(List<(AdapterSummary Adapter, double Weight)> sources, string combinationType)
    {
        var terms = sources.Select((s, i) =>
        {
            string weight = Math.Abs(s.Weight).ToString("0.###", CultureInfo.InvariantCulture);
            string sign = s.Weight < 0 ? (i == 0 ? "−" : " − ") : i == 0 ? "" : " + ";
            return $"{sign}{weight} × {s.Adapter.Name}";
        });
        return $"{string.Concat(terms)} ({combinationType})";
    }

    static Failure Invalid(string field, string message) => Failure.InvalidField(field, message);
}
