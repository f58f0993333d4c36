using Bunit;
using LoraLab.Web.Components.Pages.Dashboard;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Slurm;
using LoraLab.Web.Tests.Slurm;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Tests.Components.Pages;

public sealed class ClusterPanelTests : StudioComponentContext
{
    /// <summary>Answers with what the test sets, or throws it.</summary>
    sealed class FakeCluster : IClusterStatusReader
    {
        public Func<ClusterStatus> Answer { get; set; } = () => new ClusterStatus([], []);

        public Task<ClusterStatus> ReadAsync(CancellationToken cancellation) => Task.FromResult(Answer());
    }

    readonly FakeCluster _cluster = new();

    static readonly ClusterStatus TwoPartitions = new(
        [
            new SlurmPartition("gpu", IsDefault: true, IsUp: true, Nodes: 2, NodeState: "mix", NodeList: "gpu[01-02]"),
            new SlurmPartition("gpu", IsDefault: true, IsUp: true, Nodes: 1, NodeState: "down", NodeList: "gpu03"),
            new SlurmPartition("cpu", IsDefault: false, IsUp: false, Nodes: 1, NodeState: "idle", NodeList: "cpu01"),
        ],
        [
            new ClusterJob(3, "big run", RunStatus.Running, "41", "RUNNING", null, "gpu01"),
            new ClusterJob(4, "waiting run", RunStatus.Running, "42", "PENDING", "Resources", "gpu02"),
            new ClusterJob(5, "requeued run", RunStatus.Running, "43", "REQUEUED", "BeginTime", "gpu01"),
        ]);

    public ClusterPanelTests() => Services.AddSingleton<IClusterStatusReader>(_cluster);

    [Fact]
    public void The_panel_lists_each_partition_with_its_nodes_by_state_and_the_studios_jobs()
    {
        _cluster.Answer = () => TwoPartitions;

        var panel = Render<ClusterPanel>();

        Assert.Equal(["gpu", "cpu"], panel.FindAll("#cluster .partition").Select(p => p.GetAttribute("data-partition")));
        Assert.Equal(["2 nodes mix: gpu[01-02]", "1 node down: gpu03"],
            panel.FindAll("[data-partition='gpu'] .partition-nodes").Select(n => n.TextContent.Trim()));
        Assert.Equal("cpu · down", panel.Find("[data-partition='cpu'] h6, [data-partition='cpu'] .mud-typography-subtitle2").TextContent.Trim());
        var rows = panel.FindAll("#cluster-jobs tbody tr").Select(r => r.QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToList()).ToList();
        Assert.Equal(["big run", "41", "RUNNING", "", "gpu01"], rows[0]);
        Assert.Equal(["waiting run", "42", "PENDING", "waiting for resources", ""], rows[1]);
        Assert.Equal("", rows[2][4]);   // requeued: waiting again, on no node yet, as the run page's Pending says
        Assert.Equal("runs/4", panel.Find("#cluster-jobs tr[data-run='4'] a").GetAttribute("href"));
    }

    [Fact]
    public void When_the_Slurm_commands_fail_the_panel_says_so_in_one_line()
    {
        _cluster.Answer = () => throw new SlurmCommandException("sinfo -h failed (exit code 1): Unable to contact slurm controller");

        var panel = Render<ClusterPanel>();

        Assert.Equal("The cluster does not answer: sinfo -h failed (exit code 1): Unable to contact slurm controller", panel.Find("#cluster-error").TextContent.Trim());
        Assert.Empty(panel.FindAll("#cluster-partitions"));
    }

    [Fact]
    public void The_panel_reads_the_cluster_again_every_few_seconds()
    {
        int reads = 0;
        _cluster.Answer = () => ++reads == 1 ? new ClusterStatus([], []) : TwoPartitions;

        var panel = Render<ClusterPanel>();
        Assert.NotNull(panel.Find("#cluster-no-jobs"));

        panel.WaitForAssertion(() => Assert.Equal(TwoPartitions.Jobs.Count, panel.FindAll("#cluster-jobs tbody tr").Count), ClusterPanel.RefreshInterval * 3);
    }

    [Fact]
    public void The_dashboard_shows_no_cluster_when_runs_train_in_the_studio()
    {
        var dashboard = Render<Dashboard>();

        dashboard.WaitForElement("#nothing-running");
        Assert.Empty(dashboard.FindAll("#cluster"));
    }

    [Fact]
    public void The_dashboard_shows_the_cluster_when_runs_train_on_Slurm()
    {
        Services.AddSingleton(Options.Create(new LoraLabOptions { DataPath = Data.Path, RegisterDemo = false, SingleUser = true, Executor = "slurm" }));
        _cluster.Answer = () => TwoPartitions;

        var dashboard = Render<Dashboard>();

        dashboard.WaitForElement("#cluster-jobs");
    }

    [SlurmFact]
    public async Task On_the_real_cluster_the_panel_shows_its_partition_and_a_pending_job_with_its_reason()
    {
        int model = await AddSmolLm2Async();
        var run = await QueueRunAsync(model, (await AddDatasetAsync()).Id, "on the cluster");
        string script = Path.Combine(Data.Path, "sleep.sh");
        await File.WriteAllTextAsync(script, "#!/bin/bash\nsleep 60\n");
        string jobId = await SlurmCluster.Client.SubmitAsync(script, ["--hold", $"--output={Data.Path}/sleep.log"]);
        try
        {
            await using (var db = await DbFactory.CreateDbContextAsync())
            {
                var stored = await db.Runs.FindAsync(run.Id);
                (stored!.Status, stored.QueuePosition, stored.SlurmJobId) = (RunStatus.Running, null, jobId);
                await db.SaveChangesAsync();
            }
            Services.AddSingleton<IClusterStatusReader>(new ClusterStatusReader(SlurmCluster.Client, DbFactory));

            var panel = Render<ClusterPanel>();

            panel.WaitForElement("#cluster-jobs");
            string node = await SlurmCluster.NodeAsync();
            Assert.Contains(panel.FindAll("[data-partition='debug'] .partition-nodes"), n => n.TextContent.Trim().EndsWith($": {node}", StringComparison.Ordinal));
            Assert.Equal(["on the cluster", jobId, "PENDING", "held by its user", ""],
                panel.Find("#cluster-jobs tbody tr").QuerySelectorAll("td").Select(td => td.TextContent.Trim()));
        }
        finally
        {
            await SlurmCluster.Client.CancelAsync(jobId);
        }
    }
}
