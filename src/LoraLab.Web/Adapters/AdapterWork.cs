namespace LoraLab.Web.Adapters;

/// <summary>
/// Runs the library's engine work (loading a base model to check, merge or combine adapters) on a dedicated thread,
/// one job at a time: each job holds a whole model in memory, and two at once would only compete for the same cores.
/// </summary>
public sealed class AdapterWork
{
    readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary><paramref name="waiting"/> runs while another job holds the gate, so a page can say why nothing moves yet.</summary>
    public async Task<T> RunAsync<T>(Func<T> job, Action? waiting = null, CancellationToken cancellation = default)
    {
        if (!_gate.Wait(0))
        {
            waiting?.Invoke();
            await _gate.WaitAsync(cancellation);
        }
        try
        {
            return await Task.Factory.StartNew(job, cancellation, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        finally
        {
            _gate.Release();
        }
    }
}
