using System.CommandLine;
using LoraLab.Engine.Hub;

namespace LoraLab.Cli.Commands;

/// <summary>
/// <c>loralab download REPO_ID --out DIR [--revision R] [--endpoint URL] [--json]</c>: fetches the files a model needs
/// from the Hugging Face Hub; running it again resumes an interrupted download. The token comes from HF_TOKEN.
/// </summary>
static class DownloadCommand
{
    public static Command Create()
    {
        var repo = new Argument<string>("repo-id") { Description = "The model repository, such as HuggingFaceTB/SmolLM2-135M-Instruct." };
        var output = new Option<string>("--out") { Description = "The folder to write the model into; created when missing.", Required = true };
        var revision = new Option<string>("--revision") { Description = "A branch, tag or commit.", DefaultValueFactory = _ => HubRevision.Default };
        var endpoint = new Option<string?>("--endpoint") { Description = "The Hub's address (default: HF_ENDPOINT, else https://huggingface.co)." };
        var json = CommonOptions.Json();
        var command = new Command("download", "Download a model (config, tokenizer, safetensors weights) from the Hugging Face Hub; run again to resume.")
        {
            repo, output, revision, endpoint, json,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            var repoId = HubRepoId.Parse(parse.GetValue(repo)!);
            if (!HubRevision.TryNormalize(parse.GetValue(revision), out string rev, out string? error))
                throw new HubDownloadException(HubFailure.InvalidRequest, error!);
            string folder = Path.GetFullPath(parse.GetValue(output)!);
            using var client = new HubClient(HubSettings.Resolve(parse.GetValue(endpoint)));
            var downloader = new HubModelDownloader(client);
            var plan = await downloader.PlanAsync(repoId, rev, cancellation);
            bool quiet = parse.GetValue(json);
            if (!quiet) Console.Error.WriteLine($"{repoId} @ {plan.PinnedRevision}: {plan.Config.Architecture}, {plan.Files.Count} files, {ByteCount.Format(plan.TotalBytes)}");
            using (var bar = new ConsoleProgress("download", plan.TotalBytes, enabled: !quiet, count: b => ByteCount.Format(b)))
            {
                await downloader.DownloadAsync(plan, folder, new SynchronousProgress(p => bar.Report(p.BytesDone, $"{ByteCount.Format(p.BytesPerSecond)}/s {p.File}")), cancellation);
                bar.Finish();
            }
            if (quiet) JsonOutput.Print(new { repoId = repoId.ToString(), revision = rev, commit = plan.Commit, folder, files = plan.Files.Select(f => f.Path), bytes = plan.TotalBytes });
            else Console.WriteLine(folder);
            return 0;
        });
        return command;
    }

    /// <summary>Draws on the downloading thread: <see cref="Progress{T}"/> would post to the thread pool and draw out of order.</summary>
    sealed class SynchronousProgress(Action<HubDownloadProgress> report) : IProgress<HubDownloadProgress>
    {
        public void Report(HubDownloadProgress value) => report(value);
    }
}
