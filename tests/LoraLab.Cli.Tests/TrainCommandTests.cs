using System.Diagnostics;
using System.Text.Json;
using LoraLab.Engine.Checkpoints;

namespace LoraLab.Cli.Tests;

public sealed class TrainCommandTests : IClassFixture<TinyModelFolder>, IDisposable
{
    readonly TinyModelFolder model;
    readonly string scratch = Directory.CreateTempSubdirectory("loralab-train-").FullName;
    readonly string data;

    public TrainCommandTests(TinyModelFolder model)
    {
        this.model = model;
        data = Path.Combine(scratch, "train.jsonl");
        File.WriteAllLines(data, TinyModelFolder.Corpus.Select(t => JsonSerializer.Serialize(new { text = t })));
    }

    public void Dispose() => Directory.Delete(scratch, recursive: true);

    string[] TrainArgs(string output, params string[] extra) =>
    [
        "train", "--model", model.Directory, "--data", data, "--method", "lora", "--r", "4", "--target-modules", "q_proj,v_proj,down_proj",
        "--batch-size", "2", "--max-steps", "40", "--save-steps", "5", "--learning-rate", "0.01", "--seed", "3", "--out", output, .. extra,
    ];

    static Dictionary<string, float[]> AdapterWeights(string adapterDir)
    {
        using var file = SafetensorsFile.Open(Path.Combine(adapterDir, "adapter_model.safetensors"));
        return file.Tensors.Keys.ToDictionary(k => k, k => { using var t = file.Load(k); return t.data<float>().ToArray(); });
    }

    [Fact]
    public void Training_writes_a_peft_adapter_that_eval_loads_and_that_lowers_the_loss()
    {
        string output = Path.Combine(scratch, "run");
        var run = LoralabProcess.Run(TrainArgs(output, "--json"));
        Assert.True(run.ExitCode == 0, run.StdErr);

        var events = run.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal("prepared", events[0].GetProperty("event").GetString());
        var steps = events.Where(e => e.GetProperty("event").GetString() == "step").ToList();
        Assert.Equal(40, steps.Count);
        Assert.Equal("finished", events[^1].GetProperty("event").GetString());
        Assert.True(File.Exists(Path.Combine(output, "adapter", "adapter_config.json")));
        Assert.True(File.Exists(Path.Combine(output, "run_config.json")));

        double Loss(params string[] extra) => JsonDocument.Parse(LoralabProcess.Run(["eval", "--model", model.Directory, "--data", data, "--json", .. extra]).StdOut)
            .RootElement.GetProperty("loss").GetDouble();
        Assert.True(Loss("--adapter", Path.Combine(output, "adapter")) < Loss() - 0.5, "the adapter should have learnt the texts");
    }

    [Fact]
    public void Training_again_with_the_run_config_json_it_wrote_gives_the_same_adapter()
    {
        string first = Path.Combine(scratch, "flags"), second = Path.Combine(scratch, "config");
        string[] shortRun = ["train", "--model", model.Directory, "--data", data, "--method", "lora", "--r", "4", "--target-modules", "q_proj,v_proj",
            "--batch-size", "2", "--max-steps", "5", "--learning-rate", "0.01", "--seed", "3"];
        Assert.Equal(0, LoralabProcess.Run([.. shortRun, "--out", first]).ExitCode);

        // The method, training and data flags are left at their defaults: the file's sections replace them.
        var again = LoralabProcess.Run(["train", "--model", model.Directory, "--data", data, "--config", Path.Combine(first, "run_config.json"), "--out", second]);

        Assert.True(again.ExitCode == 0, again.StdErr);
        var expected = AdapterWeights(Path.Combine(first, "adapter"));
        var actual = AdapterWeights(Path.Combine(second, "adapter"));
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, weights) in expected) Assert.Equal(weights, actual[name]);
    }

    [Fact]
    public void A_run_killed_after_a_checkpoint_and_resumed_ends_with_the_same_adapter_as_an_uninterrupted_run()
    {
        string uninterrupted = Path.Combine(scratch, "whole"), killed = Path.Combine(scratch, "killed");
        Assert.Equal(0, LoralabProcess.Run(TrainArgs(uninterrupted)).ExitCode);

        // Start the same run and kill it (SIGKILL, no chance to clean up) once its step-10 checkpoint exists.
        using (var process = LoralabProcess.Start(TrainArgs(killed)))
        {
            string checkpoint = Path.Combine(killed, "checkpoints", "step-000010");
            var clock = Stopwatch.StartNew();
            while (!Directory.Exists(checkpoint) && !process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(5);
            Assert.False(process.HasExited, "the run finished before it could be killed");
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        Assert.False(File.Exists(Path.Combine(killed, "adapter", "adapter_model.safetensors")));
        string latest = Directory.GetDirectories(Path.Combine(killed, "checkpoints")).Order().Last();

        var resumed = LoralabProcess.Run(TrainArgs(killed, "--resume", latest));
        Assert.True(resumed.ExitCode == 0, resumed.StdErr);

        var expected = AdapterWeights(Path.Combine(uninterrupted, "adapter"));
        var actual = AdapterWeights(Path.Combine(killed, "adapter"));
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, values) in expected) Assert.True(values.SequenceEqual(actual[key]), $"{key} differs after resuming from {latest}");
    }

    [Fact]
    public void A_bad_method_option_is_one_clear_error()
    {
        var r = LoralabProcess.Run("train", "--model", model.Directory, "--data", data, "--method", "lokr", "--out", Path.Combine(scratch, "bad"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("method must be one of lora, dora, qlora", r.StdErr);
    }

    [Fact]
    public void Every_wrong_setting_is_its_own_sentence_and_nothing_trains()
    {
        string output = Path.Combine(scratch, "bad-settings");

        var r = LoralabProcess.Run("train", "--model", model.Directory, "--data", data, "--method", "lora", "--r", "0", "--lora-alpha", "-1",
            "--learning-rate", "-1", "--batch-size", "0", "--max-length", "1", "--out", output);

        Assert.Equal(1, r.ExitCode);
        Assert.Equal(["error: r must be a positive integer, got 0.", "error: lora_alpha must be positive, got -1.", "error: learning_rate must be positive, got -1.",
                "error: batch_size must be positive, got 0.", "error: max_length must be at least 2, got 1."],
            r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.False(Directory.Exists(output));
    }
}
