using LoraLab.Web.Slurm;
using LoraLab.Web.Training;

namespace LoraLab.Web.Tests.Slurm;

public sealed class SlurmJobScriptTests
{
    static readonly RunRequest Request = new(7, "run", "/data/models/demo", "/data/datasets/1-it's.jsonl", new RunSettings(new(), new(), new()),
        "/data/runs/7", "/data/runs/7/checkpoints", "/data/adapters/run-7", "/data/runs/7/checkpoints/step-000002", 2);

    static readonly SlurmJobFiles Files = SlurmJobFiles.For("/shared", 7);

    [Fact]
    public void The_script_runs_loralab_train_with_the_events_on_stdout_and_records_the_exit_code()
    {
        string script = SlurmJobScript.Render(Request, new SlurmOptions { Command = "dotnet /opt/loralab.dll" }, Files);

        Assert.Contains("dotnet /opt/loralab.dll 'train' '--model' '/data/models/demo' '--data' '/data/datasets/1-it'\\''s.jsonl' " +
                        "'--config' '/shared/slurm/run-7/run_config.json' '--out' '/data/runs/7' '--json' " +
                        "'--resume' '/data/runs/7/checkpoints/step-000002' > '/shared/slurm/run-7/events.jsonl'", script);
        Assert.Contains("echo \"$code\" > '/shared/slurm/run-7/exit_code'", script);
        Assert.Contains("trap 'true' TERM", script);
    }

    [Fact]
    public void The_settings_become_sbatch_arguments_and_Slurm_never_requeues_the_job_itself()
    {
        var options = new SlurmOptions { Partition = "gpu", Account = "lab", Qos = "high", Gpus = 2, CpusPerTask = 8, Memory = "16G", TimeLimit = "4:00:00", ExtraArguments = ["--exclusive"] };

        var arguments = SlurmJobScript.Arguments(Request, options, Files, estimatedBytes: 1L << 30);

        Assert.Equal(
        [
            "--job-name=loralab-run-7", "--chdir=/shared/slurm/run-7", "--output=/shared/slurm/run-7/job.log", "--no-requeue",
            "--partition=gpu", "--account=lab", "--qos=high", "--gres=gpu:2", "--cpus-per-task=8", "--mem=16G", "--time=4:00:00", "--exclusive",
        ], arguments);
    }

    [Fact]
    public void Without_a_memory_setting_the_job_asks_for_the_runs_estimate_with_a_quarter_and_a_GiB_of_headroom()
    {
        var arguments = SlurmJobScript.Arguments(Request, new SlurmOptions(), Files, estimatedBytes: 800L << 20);

        Assert.Contains("--mem=2024M", arguments);
    }

    [Fact]
    public void The_headroom_rounds_the_estimate_up_to_whole_megabytes()
    {
        Assert.Equal(1024 + 2, SlurmMemory.Megabytes(1_500_000));
    }

    [Theory]
    [InlineData("--mem=8G")]
    [InlineData("--mem-per-cpu=2G")]
    [InlineData("--mem-per-gpu")]
    public void Memory_requested_in_the_extra_arguments_replaces_the_studios(string extra)
    {
        var arguments = SlurmJobScript.Arguments(Request, new SlurmOptions { Memory = "16G", ExtraArguments = [extra, "4G"] }, Files, estimatedBytes: 800L << 20);

        Assert.DoesNotContain(arguments, a => a.StartsWith("--mem=", StringComparison.Ordinal) && a != extra);
        Assert.Contains(extra, arguments);
    }

    [Fact]
    public void A_run_without_an_estimate_asks_for_no_memory()
    {
        Assert.DoesNotContain(SlurmJobScript.Arguments(Request, new SlurmOptions(), Files, estimatedBytes: null), a => a.StartsWith("--mem", StringComparison.Ordinal));
    }
}
