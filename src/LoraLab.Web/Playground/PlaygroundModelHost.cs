using LoraLab.Engine.Checkpoints;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Playground;
using LoraLab.Web.Adapters;
using LoraLab.Web.Devices;
using LoraLab.Web.Models;

namespace LoraLab.Web.Playground;

/// <summary>The shared base model of a piece of playground work, and the names its adapters are loaded under.</summary>
public sealed class PlaygroundModel(SharedBaseModel model, IReadOnlyDictionary<int, AdapterSummary> adapters)
{
    public SharedBaseModel Model => model;

    /// <summary>The name the adapter is loaded under in <see cref="Model"/>; null for the base model alone.</summary>
    public static string? LoadedName(int? adapterId) => adapterId is { } id ? $"adapter-{id}" : null;

    public string Label(int? adapterId) => adapterId is { } id ? adapters[id].Name : PlaygroundVoteStore.BaseModelColumnName;

    public bool HasOwnPass(int? adapterId) => adapterId is { } id && model.PlacementOf(LoadedName(id)!) != AdapterPlacement.Routed;
}

/// <summary>
/// Keeps one base model in memory for the playground, with the adapters it was asked for loaded onto it by name; asking
/// for another base evicts the current one. Work runs on a thread of its own, one piece at a time, off the circuits'
/// threads; training keeps its own model, so both can run at once on the same device. With several devices, a base is
/// loaded on the one with the most free memory at that moment (<see cref="TrainingDevices.Roomiest"/>).
/// </summary>
public sealed class PlaygroundModelHost(ModelRegistry models, AdapterStore adapterStore, TrainingDevices devices, ILogger<PlaygroundModelHost> logger) : IDisposable
{
    readonly SemaphoreSlim gate = new(1, 1);
    SharedBaseModel? shared;
    int? sharedBaseId;

    /// <summary>The base model in memory, if any.</summary>
    public int? LoadedBaseModelId => sharedBaseId;

    /// <summary>
    /// Runs <paramref name="work"/> with base model <paramref name="baseModelId"/> and adapters <paramref name="adapterIds"/>
    /// (each trained on that base) loaded, after the work already running. Folders that cannot be loaded and requests
    /// the engine refuses come back as a <see cref="Failure"/>.
    /// </summary>
    public async Task<Result<T>> RunAsync<T>(int baseModelId, IReadOnlyCollection<int> adapterIds, Func<PlaygroundModel, T> work, CancellationToken cancellation = default)
    {
        if (await models.FindAsync(baseModelId, cancellation) is not { } model) return Failure.NotFound("Base model", baseModelId);
        if (model.Error is { } error) return Failure.Conflict("Base model unusable", $"Base model '{model.Name}' cannot be used: {error}");
        var adapters = new Dictionary<int, AdapterSummary>();
        foreach (int id in adapterIds.Distinct())
        {
            if (await adapterStore.FindAsync(id, cancellation) is not { } adapter) return Failure.NotFound("Adapter", id);
            if (adapter.BaseModelId != baseModelId)
                return Failure.InvalidField("columns", $"Adapter '{adapter.Name}' was trained on {adapter.BaseModelName}, not on {model.Name}.");
            adapters[id] = adapter;
        }

        await gate.WaitAsync(cancellation);
        try
        {
            return await Task.Factory.StartNew(() => RunLoaded(model, adapters, work), cancellation, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        finally
        {
            gate.Release();
        }
    }

    Result<T> RunLoaded<T>(RegisteredModel model, Dictionary<int, AdapterSummary> adapters, Func<PlaygroundModel, T> work)
    {
        try
        {
            if (sharedBaseId != model.Id) Open(model);
        }
        catch (Exception e) when (IsModelProblem(e))
        {
            return Failure.Conflict("Base model not loaded", $"Base model '{model.Name}' could not be loaded: {e.Message}");
        }
        foreach (var adapter in adapters.Values)
        {
            string name = PlaygroundModel.LoadedName(adapter.Id)!;
            if (shared!.Has(name)) continue;
            try
            {
                var placement = shared.Load(name, adapter.Folder);
                logger.LogInformation("Playground: adapter {Adapter} loaded on {Model} ({Placement}).", adapter.Name, model.Name, placement);
            }
            catch (Exception e) when (IsModelProblem(e))
            {
                return Failure.Conflict("Adapter not loaded", $"Adapter '{adapter.Name}' could not be loaded: {e.Message}");
            }
        }
        try
        {
            return work(new PlaygroundModel(shared!, adapters));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return Failure.Invalid("The request is invalid", new Dictionary<string, string[]> { ["request"] = [e.Message] });
        }
    }

    void Open(RegisteredModel model)
    {
        Evict();
        // Chosen after the eviction, so the memory the previous base held counts as free.
        var device = devices.Roomiest();
        shared = SharedBaseModel.Open(model.Folder, device);
        sharedBaseId = model.Id;
        logger.LogInformation("Playground: base model {Model} loaded on {Device}.", model.Name, device.Name);
    }

    void Evict()
    {
        shared?.Dispose();
        shared = null;
        sharedBaseId = null;
    }

    static bool IsModelProblem(Exception e) =>
        e is IOException or InvalidDataException or ArgumentException or InvalidOperationException or NotSupportedException
            or System.Text.Json.JsonException or ModelConfigException or WeightLoadException or CheckpointFormatException
            or PeftConfigException or AdapterMismatchException;

    public void Dispose()
    {
        Evict();
        gate.Dispose();
    }
}
