using System.Collections.Concurrent;
using System.Text.Json.Serialization;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Training;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace LoraLab.Web.BrowserTests;

/// <summary>
/// Browser-less clients of /hubs/training (Microsoft.AspNetCore.SignalR.Client over WebSockets), each subscribed to all
/// runs and keeping, per run, the steps of the StepMetrics events it received in the order they arrived.
/// </summary>
public sealed class HubListeners : IAsyncDisposable
{
    readonly List<Listener> _listeners;

    HubListeners(List<Listener> listeners) => _listeners = listeners;

    public int Count => _listeners.Count;

    public static async Task<HubListeners> ConnectAsync(string studioUrl, int count)
    {
        var listeners = new List<Listener>();
        try
        {
            for (int i = 0; i < count; i++) listeners.Add(await Listener.ConnectAsync(studioUrl));
            return new HubListeners(listeners);
        }
        catch
        {
            foreach (var listener in listeners) await listener.DisposeAsync();
            throw;
        }
    }

    /// <summary>The steps each client received for <paramref name="runId"/>, in arrival order, one list per client.</summary>
    public IReadOnlyList<IReadOnlyList<int>> StepsOf(int runId) => _listeners.Select(l => l.StepsOf(runId)).ToList();

    /// <summary>Waits until every client has been told the run reached <paramref name="status"/>.</summary>
    public async Task WaitForStatusAsync(int runId, RunStatus status, TimeSpan timeout)
    {
        var all = Task.WhenAll(_listeners.Select(l => l.StatusReached(runId, status)));
        if (await Task.WhenAny(all, Task.Delay(timeout)) != all)
        {
            int told = _listeners.Count(l => l.StatusReached(runId, status).IsCompleted);
            throw new TimeoutException($"{told} of {_listeners.Count} hub clients heard run {runId} become {status} within {timeout.TotalSeconds} s.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var listener in _listeners) await listener.DisposeAsync();
    }

    sealed class Listener : IAsyncDisposable
    {
        readonly HubConnection _connection;
        readonly ConcurrentDictionary<int, List<int>> _steps = new();
        readonly ConcurrentDictionary<(int, RunStatus), TaskCompletionSource> _statuses = new();

        Listener(HubConnection connection)
        {
            _connection = connection;
            connection.On<int, StepMetrics>(nameof(StepMetrics), (runId, step) =>
            {
                var steps = _steps.GetOrAdd(runId, _ => []);
                lock (steps) steps.Add(step.Step);
            });
            connection.On<int, StatusChanged>(nameof(StatusChanged), (runId, status) => Status(runId, status.Status).TrySetResult());
        }

        public static async Task<Listener> ConnectAsync(string studioUrl)
        {
            var connection = new HubConnectionBuilder()
                .WithUrl($"{studioUrl}/hubs/training")
                .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
                .Build();
            var listener = new Listener(connection);
            await connection.StartAsync();
            await connection.InvokeAsync("SubscribeToAll");
            return listener;
        }

        public IReadOnlyList<int> StepsOf(int runId)
        {
            if (!_steps.TryGetValue(runId, out var steps)) return [];
            lock (steps) return steps.ToList();
        }

        public Task StatusReached(int runId, RunStatus status) => Status(runId, status).Task;

        TaskCompletionSource Status(int runId, RunStatus status) =>
            _statuses.GetOrAdd((runId, status), _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

        public ValueTask DisposeAsync() => _connection.DisposeAsync();
    }
}
