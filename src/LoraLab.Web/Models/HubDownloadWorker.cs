namespace LoraLab.Web.Models;

/// <summary>
/// Runs the queued Hub downloads one after another, away from any page. A download's failure ends that download,
/// never the worker; stopping the host interrupts the running one, whose files stay for a resume.
/// </summary>
public sealed class HubDownloadWorker(HubDownloads downloads) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var download in downloads.Queue.ReadAllAsync(stoppingToken))
                await downloads.RunAsync(download, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
