using LoraLab.Engine.Devices;
using LoraLab.Web.Components.Shared;

namespace LoraLab.Web.Devices;

/// <summary>A run placed on a device, with the memory the engine's estimate says it needs (null when unknown).</summary>
public sealed record PlacedRun(int RunId, string RunName, long? EstimatedBytes);

/// <summary>A device as the dashboard and GET /api/devices show it: its memory now and the runs it trains.</summary>
public sealed record DeviceStatus(string Name, bool IsCuda, DeviceMemoryReading? Memory, IReadOnlyList<PlacedRun> Runs);

/// <summary>Where a run goes: a device (with a note when it was placed against the estimate), or no device and why it waits.</summary>
public sealed record Placement(ComputeDevice? Device, string? Note);

/// <summary>
/// The devices runs train on (LoraLab:Device), each taking up to <see cref="RunsPerDevice"/> runs at once
/// (LoraLab:TrainingConcurrency), and what runs where. A run goes to the first device, in the configured order, with a
/// free slot and enough free memory for the engine's estimate of its peak. Free memory is the smaller of what the
/// device reports free and its size less the estimates of the runs already placed on it, so a run that has not yet
/// reached its peak still counts in full. A run that needs more than any device has goes to the first idle device,
/// with a note: the estimate is an estimate, and the user was warned when they created the run.
/// </summary>
public sealed class TrainingDevices
{
    readonly IDeviceMemoryProbe _memory;
    readonly List<PlacedRun>[] _runs;
    readonly Lock _lock = new();
    (int RunId, string Reason)? _waiting;

    public TrainingDevices(IReadOnlyList<ComputeDevice> devices, IDeviceMemoryProbe memory, int runsPerDevice)
    {
        if (devices.Count == 0) throw new ArgumentException("Training needs at least one device.", nameof(devices));
        Devices = devices;
        RunsPerDevice = Math.Max(1, runsPerDevice);
        _memory = memory;
        _runs = devices.Select(_ => new List<PlacedRun>()).ToArray();
    }

    public IReadOnlyList<ComputeDevice> Devices { get; }

    public int RunsPerDevice { get; }

    /// <summary>Chooses a device for the run and reserves a slot on it, or says why the run must wait.</summary>
    public Placement TryPlace(int runId, string runName, long? estimatedBytes)
    {
        lock (_lock)
        {
            var placement = Place(runId, runName, estimatedBytes);
            _waiting = placement is { Device: null, Note: { } reason } ? (runId, reason) : null;
            return placement;
        }
    }

    /// <summary>Why the run waits for a device, when it is the run the last placement left waiting for memory; null otherwise.</summary>
    public string? WaitingReason(int runId)
    {
        lock (_lock) return _waiting is { } waiting && waiting.RunId == runId ? waiting.Reason : null;
    }

    /// <summary>The placement rule; called under the lock.</summary>
    Placement Place(int runId, string runName, long? estimatedBytes)
    {
        var free = Enumerable.Range(0, Devices.Count).Where(i => _runs[i].Count < RunsPerDevice).ToList();
        if (free.Count == 0) return new Placement(null, null);
        var readings = Devices.Select(_memory.Read).ToArray();
        long? Available(int i) => FreeBytes(i, readings[i]);

        if (estimatedBytes is not { } needed) return Reserve(free[0], runId, runName, estimatedBytes, note: null);
        foreach (int i in free)
            if (Available(i) is not { } available || available >= needed) return Reserve(i, runId, runName, estimatedBytes, note: null);

        bool fitsSomewhere = readings.Any(r => r is null || r.TotalBytes >= needed);
        if (!fitsSomewhere)
        {
            string largest = Show.Bytes(readings.Max(r => r!.TotalBytes));
            if (free.FirstOrDefault(i => _runs[i].Count == 0, -1) is var idle and >= 0)
                return Reserve(idle, runId, runName, estimatedBytes,
                    $"The run needs {Show.Bytes(needed)} by the estimate, more than any device has (the largest has {largest}); it trains on {Devices[idle].Name} anyway.");
            return new Placement(null, $"Waiting for an idle device: the run needs {Show.Bytes(needed)} by the estimate, more than any device has (the largest has {largest}).");
        }
        string devicesFree = string.Join(", ", free.Select(i => $"{Devices[i].Name} has {Show.Bytes(Available(i)!.Value)}"));
        return new Placement(null, $"Waiting for a device with {Show.Bytes(needed)} free: {devicesFree}.");
    }

    /// <summary>
    /// The device for the playground's model, which stays loaded beside the runs: the one with the most free memory now,
    /// by the placement's measure, so it goes where training leaves the most room; the first when none is measured.
    /// </summary>
    public ComputeDevice Roomiest()
    {
        lock (_lock)
        {
            var free = Devices.Select((device, i) => FreeBytes(i, _memory.Read(device))).ToArray();
            int best = 0;
            for (int i = 1; i < free.Length; i++)
                if (free[i] > (free[best] ?? long.MinValue)) best = i;
            return Devices[best];
        }
    }

    /// <summary>What the device reports free, less what the runs on it are estimated still to take; null when not measured. Called under the lock.</summary>
    long? FreeBytes(int device, DeviceMemoryReading? reading) => reading is { } r
        ? Math.Min(r.FreeBytes, r.TotalBytes - _runs[device].Sum(run => run.EstimatedBytes ?? 0))
        : null;

    /// <summary>Frees the slot of a run that ended (or was never started); a run not placed is ignored.</summary>
    public void Release(int runId)
    {
        lock (_lock)
        {
            foreach (var runs in _runs) runs.RemoveAll(r => r.RunId == runId);
        }
    }

    /// <summary>Every device with its memory now and its runs, in the configured order.</summary>
    public IReadOnlyList<DeviceStatus> Status()
    {
        PlacedRun[][] runs;
        lock (_lock) runs = _runs.Select(r => r.ToArray()).ToArray();
        return Devices.Select((device, i) => new DeviceStatus(device.Name, device.IsCuda, _memory.Read(device), runs[i])).ToList();
    }

    Placement Reserve(int device, int runId, string runName, long? estimatedBytes, string? note)
    {
        _runs[device].Add(new PlacedRun(runId, runName, estimatedBytes));
        return new Placement(Devices[device], note);
    }
}
