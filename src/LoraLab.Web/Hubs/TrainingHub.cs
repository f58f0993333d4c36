using Microsoft.AspNetCore.SignalR;

namespace LoraLab.Web.Hubs;

/// <summary>
/// Live run events for external clients at /hubs/training: subscribe to one run, or to all. A connection subscribed
/// to all and to a run receives each event once.
/// </summary>
public sealed class TrainingHub(TrainingHubSubscriptions subscriptions) : Hub<ITrainingClient>
{
    public const string Path = "/hubs/training";

    public static string RunGroup(int runId) => $"run-{runId}";

    public const string AllRunsGroup = "all-runs";

    public Task SubscribeToRun(int runId) => Groups.AddToGroupAsync(Context.ConnectionId, RunGroup(runId));

    public Task UnsubscribeFromRun(int runId) => Groups.RemoveFromGroupAsync(Context.ConnectionId, RunGroup(runId));

    public async Task SubscribeToAll()
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, AllRunsGroup);
        subscriptions.AddAllRuns(Context.ConnectionId);
    }

    public async Task UnsubscribeFromAll()
    {
        subscriptions.RemoveAllRuns(Context.ConnectionId);
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, AllRunsGroup);
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        subscriptions.RemoveAllRuns(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }
}
