using LoraLab.Engine.Checkpoints;
using LoraLab.Engine.Hub;

namespace LoraLab.Engine.Tests.Hub;

public sealed class HubDownloadTests : HubDownloadFixture
{
    [Fact]
    public async Task A_download_fetches_the_model_files_byte_for_byte_and_nothing_else()
    {
        var downloader = Downloader();
        var plan = await downloader.PlanAsync(Id, "main");
        var progress = new RecordedProgress();

        await downloader.DownloadAsync(plan, Target, progress);

        string[] expected = ["config.json", "generation_config.json", "model.safetensors", "tokenizer.json"];
        Assert.Equal(expected, Directory.GetFiles(Target).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (string file in expected) Assert.Equal(Original(file), File.ReadAllBytes(Downloaded(file)));
        Assert.DoesNotContain(Hub.Requests, r => r.Path.EndsWith("README.md") || r.Path.EndsWith("pytorch_model.bin"));
        long total = expected.Sum(f => Original(f).LongLength);
        var last = progress.Reports[^1];
        Assert.Equal((total, total, 4, 4), (last.BytesDone, last.BytesTotal, last.FilesDone, last.FileCount));
        Assert.True(progress.Reports.Zip(progress.Reports.Skip(1)).All(pair => pair.Second.BytesDone >= pair.First.BytesDone), "progress went backwards");
    }

    [Fact]
    public async Task A_download_cut_mid_file_resumes_from_the_bytes_on_disk_with_a_range_request()
    {
        var downloader = Downloader();
        var plan = await downloader.PlanAsync(Id, "main");
        int length = Original("model.safetensors").Length;
        int cut = length / 2;
        Repo.Files["model.safetensors"].FailAfter(cut);

        var lost = await Assert.ThrowsAsync<HubDownloadException>(() => downloader.DownloadAsync(plan, Target));
        long kept = new FileInfo(Downloaded("model.safetensors.incomplete")).Length;
        await downloader.DownloadAsync(plan, Target);

        Assert.Equal(HubFailure.ConnectionLost, lost.Failure);
        Assert.Equal("The download of 'model.safetensors' from 127.0.0.1 stopped (the connection closed before the answer was complete); resume to continue.", lost.Message);
        Assert.Equal(cut, kept);
        Assert.Equal([null, $"bytes={cut}-"], Hub.RangesOf("model.safetensors"));
        Assert.Equal(Original("model.safetensors"), File.ReadAllBytes(Downloaded("model.safetensors")));
        Assert.False(File.Exists(Downloaded("model.safetensors.incomplete")));
        Assert.Null(HubDownloadMarker.Read(Target));
    }

    [Fact]
    public async Task Files_completed_before_an_interruption_are_not_fetched_again()
    {
        var downloader = Downloader();
        var plan = await downloader.PlanAsync(Id, "main");
        Repo.Files["model.safetensors"].FailAfter(100);
        await Assert.ThrowsAsync<HubDownloadException>(() => downloader.DownloadAsync(plan, Target));
        Hub.Requests.Clear();

        await downloader.DownloadAsync(plan, Target);

        Assert.Equal(["/cdn/tiny/llama/model.safetensors"], Hub.Requests.Where(r => r.Path.StartsWith("/cdn/")).Select(r => r.Path));
        Assert.DoesNotContain(Hub.Requests, r => r.Path.EndsWith("/config.json") || r.Path.EndsWith("/tokenizer.json"));
    }

    [Fact]
    public async Task A_server_that_ignores_the_range_gets_the_file_written_again_from_the_start()
    {
        var downloader = Downloader();
        var plan = await downloader.PlanAsync(Id, "main");
        int cut = Original("model.safetensors").Length / 3;
        Repo.Files["model.safetensors"].FailAfter(cut);
        await Assert.ThrowsAsync<HubDownloadException>(() => downloader.DownloadAsync(plan, Target));
        Hub.IgnoreRange = true;
        var progress = new RecordedProgress();

        await downloader.DownloadAsync(plan, Target, progress);

        Assert.Equal([null, $"bytes={cut}-"], Hub.RangesOf("model.safetensors"));
        Assert.Equal(Original("model.safetensors"), File.ReadAllBytes(Downloaded("model.safetensors")));
        Assert.Equal(Original("model.safetensors").Length, progress.Reports.Where(p => p.File == "model.safetensors").Max(p => p.FileBytesDone));
    }

    [Fact]
    public async Task A_file_that_arrives_with_another_sha256_is_deleted_and_reported()
    {
        var downloader = Downloader();
        var plan = await downloader.PlanAsync(Id, "main");
        var weights = Repo.Files["model.safetensors"];
        byte[] tampered = (byte[])weights.Content.Clone();
        tampered[^1] ^= 0xFF;
        weights.Served = tampered;

        var corrupt = await Assert.ThrowsAsync<HubDownloadException>(() => downloader.DownloadAsync(plan, Target));

        Assert.Equal(HubFailure.Corrupt, corrupt.Failure);
        Assert.Contains($"where the Hub lists {weights.Sha256}", corrupt.Message);
        Assert.False(File.Exists(Downloaded("model.safetensors.incomplete")));
        Assert.False(File.Exists(Downloaded("model.safetensors")));
    }

    [Fact]
    public async Task A_file_longer_than_the_listed_size_is_deleted_and_reported()
    {
        var downloader = Downloader();
        var plan = await downloader.PlanAsync(Id, "main");
        var tokenizer = Repo.Files["tokenizer.json"];
        tokenizer.Served = [.. tokenizer.Content, .. "  "u8.ToArray()];

        var corrupt = await Assert.ThrowsAsync<HubDownloadException>(() => downloader.DownloadAsync(plan, Target));

        Assert.Equal(HubFailure.Corrupt, corrupt.Failure);
        Assert.Equal($"'tokenizer.json' of 'tiny/llama' arrived with {tokenizer.Content.Length + 2} bytes where the Hub lists {tokenizer.Content.Length}; "
            + "its partial file was deleted, resume to fetch it again.", corrupt.Message);
        Assert.False(File.Exists(Downloaded("tokenizer.json.incomplete")));
    }

    [Fact]
    public async Task Cancelling_keeps_the_bytes_that_arrived_for_the_next_attempt()
    {
        var weights = Repo.Files["model.safetensors"];
        (weights.ChunkBytes, weights.ChunkDelay) = (4096, TimeSpan.FromMilliseconds(20));
        var downloader = Downloader();
        var plan = await downloader.PlanAsync(Id, "main");
        using var cancel = new CancellationTokenSource();
        var progress = new RecordedProgress { OnReport = p => { if (p.File == "model.safetensors" && p.FileBytesDone >= 8192) cancel.Cancel(); } };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => downloader.DownloadAsync(plan, Target, progress, cancel.Token));
        long kept = new FileInfo(Downloaded("model.safetensors.incomplete")).Length;
        weights.ChunkDelay = TimeSpan.Zero;
        await downloader.DownloadAsync(plan, Target);

        Assert.InRange(kept, 8192, weights.Content.Length - 1);
        Assert.Equal($"bytes={kept}-", Hub.RangesOf("model.safetensors")[^1]);
        Assert.Equal(weights.Content, File.ReadAllBytes(Downloaded("model.safetensors")));
    }

    [Fact]
    public async Task A_revision_that_moved_to_another_commit_discards_the_parts_of_the_old_one()
    {
        var downloader = Downloader();
        var weights = Repo.Files["model.safetensors"];
        weights.FailAfter(weights.Content.Length / 2);
        await Assert.ThrowsAsync<HubDownloadException>(async () => await downloader.DownloadAsync(await downloader.PlanAsync(Id, "main"), Target));
        Repo.Commit = "fedcba9876543210fedcba9876543210fedcba98";

        await downloader.DownloadAsync(await downloader.PlanAsync(Id, "main"), Target);

        Assert.Equal([null, null], Hub.RangesOf("model.safetensors"));
        Assert.Contains(Hub.Requests, r => r.Path == $"/tiny/llama/resolve/{Repo.Commit}/config.json");
    }

    [Fact]
    public async Task A_stalled_connection_counts_as_lost_after_the_stall_timeout()
    {
        var weights = Repo.Files["model.safetensors"];
        (weights.ChunkBytes, weights.ChunkDelay) = (weights.Content.Length / 2, TimeSpan.FromSeconds(30));
        var plan = await PlanAsync();
        var downloader = Downloader(stallTimeout: TimeSpan.FromSeconds(1.5));

        var lost = await Assert.ThrowsAsync<HubDownloadException>(() => downloader.DownloadAsync(plan, Target));

        Assert.Equal(HubFailure.ConnectionLost, lost.Failure);
        Assert.Equal($"The download of 'model.safetensors' from 127.0.0.1 stopped (no data for 1.5 s); resume to continue.", lost.Message);
        Assert.Equal(weights.Content.Length / 2, new FileInfo(Downloaded("model.safetensors.incomplete")).Length);
    }

    [Fact]
    public async Task A_download_larger_than_the_free_space_is_refused_before_it_starts()
    {
        var client = new HubClient(new HubSettings(Hub.Endpoint));
        var downloader = new HubModelDownloader(client) { FreeSpace = _ => 1000 };
        var plan = await downloader.PlanAsync(Id, "main");

        var full = await Assert.ThrowsAsync<HubDownloadException>(() => downloader.DownloadAsync(plan, Target));
        client.Dispose();

        Assert.Equal(HubFailure.DiskFull, full.Failure);
        Assert.StartsWith($"'tiny/llama' needs {ByteCount.Format(plan.TotalBytes)} more but only 1000 B are free", full.Message);
        Assert.DoesNotContain(Hub.Requests, r => r.Path.StartsWith("/cdn/"));
    }

    [Fact]
    public async Task The_token_goes_to_the_hub_but_not_to_the_cdn_it_redirects_to()
    {
        (Repo.Private, Repo.Token) = (true, "hf_secret");
        var downloader = Downloader(token: "hf_secret");

        await downloader.DownloadAsync(await downloader.PlanAsync(Id, "main"), Target);

        Assert.All(Hub.Requests.Where(r => !r.Path.StartsWith("/cdn/")), r => Assert.Equal("Bearer hf_secret", r.Authorization));
        Assert.All(Hub.Requests.Where(r => r.Path.StartsWith("/cdn/")), r => Assert.Null(r.Authorization));
    }

    [Fact]
    public async Task A_sharded_checkpoint_downloads_the_index_and_exactly_the_shards_it_names()
    {
        string sharded = HubTestModel.Write(Path.Combine(Source, "..", "sharded"), maxShardBytes: 40_000);
        var repo = Hub.AddRepo("tiny/sharded").AddFolder(sharded);
        repo.Add("consolidated.safetensors", new byte[500], lfs: true);
        var downloader = Downloader();

        await downloader.DownloadAsync(await downloader.PlanAsync(HubRepoId.Parse("tiny/sharded"), "main"), Target);

        var shards = Directory.GetFiles(sharded, "model-*.safetensors").Select(Path.GetFileName).Order().ToList();
        Assert.True(shards.Count > 1, "the test model was not sharded");
        Assert.Equal(shards, Directory.GetFiles(Target, "*.safetensors").Select(Path.GetFileName).Order());
        Assert.True(File.Exists(Downloaded("model.safetensors.index.json")));
        using var reader = CheckpointReader.Open(Target);
        using var original = CheckpointReader.Open(sharded);
        Assert.Equal(original.Tensors.Keys.Order(), reader.Tensors.Keys.Order());
    }
}
