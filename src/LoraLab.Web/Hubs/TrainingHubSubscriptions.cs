using System.Collections.Concurrent;

namespace LoraLab.Web.Hubs;

/// <summary>The connections subscribed to all runs, which a run's group must skip so they get its events once.</summary>
public sealed class TrainingHubSubscriptions
{
    readonly ConcurrentDictionary<string, byte> _allRuns = new();

    public void AddAllRuns(string connectionId) => _allRuns.TryAdd(connectionId, 0);

    public void RemoveAllRuns(string connectionId) => _allRuns.TryRemove(connectionId, out _);

    public IReadOnlyList<string> AllRuns => _allRuns.Keys.ToList();
}
