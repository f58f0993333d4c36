using LoraLab.Web.Training;
using Microsoft.AspNetCore.SignalR;

namespace LoraLab.Web.Hubs;

/// <summary>Forwards the notifier's run events to the hub's groups, as one more in-process subscriber.</summary>
public sealed class TrainingHubRelay(
    TrainingNotifier notifier, IHubContext<TrainingHub, ITrainingClient> hub, TrainingHubSubscriptions subscriptions) : IHostedService
{
    IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = notifier.Subscribe(runId: null, ForwardAsync);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }

    async Task ForwardAsync(IReadOnlyList<RunUpdate> updates)
    {
        foreach (var update in updates)
        {
            var allRuns = subscriptions.AllRuns;
            await SendAsync(hub.Clients.Group(TrainingHub.AllRunsGroup), update);
            await SendAsync(hub.Clients.GroupExcept(TrainingHub.RunGroup(update.RunId), allRuns), update);
        }
    }

    static Task SendAsync(ITrainingClient clients, RunUpdate update) => update.Event switch
    {
        StepMetrics step => clients.StepMetrics(update.RunId, step),
        EvaluationMetrics evaluation => clients.Evaluation(update.RunId, evaluation),
        CheckpointSaved checkpoint => clients.CheckpointSaved(update.RunId, checkpoint),
        LogLine line => clients.Log(update.RunId, line),
        StatusChanged status => clients.StatusChanged(update.RunId, status),
        Slurm.SlurmJobChanged job => clients.SlurmJob(update.RunId, job),
        _ => Task.CompletedTask,
    };
}
