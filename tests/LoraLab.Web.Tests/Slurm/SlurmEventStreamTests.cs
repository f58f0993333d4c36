using LoraLab.Web.Slurm;
using LoraLab.Web.Training;

namespace LoraLab.Web.Tests.Slurm;

/// <summary>Following a job's event file and reading loralab train --json's events as the studio's run events.</summary>
public sealed class SlurmEventStreamTests : IDisposable
{
    readonly string _file = Path.GetTempFileName();

    sealed class Collected : IProgress<RunEvent>
    {
        public List<RunEvent> Events { get; } = [];
        public void Report(RunEvent value) => Events.Add(value);
    }

    [Fact]
    public void The_tail_returns_each_complete_line_once_and_keeps_a_partial_one_for_later()
    {
        var tail = new EventFileTail(_file);
        File.AppendAllText(_file, "{\"a\":1}\n{\"b\":");

        var first = tail.ReadNewLines();
        File.AppendAllText(_file, "2}\n");
        var second = tail.ReadNewLines();
        var third = tail.ReadNewLines();

        Assert.Equal(["{\"a\":1}"], first);
        Assert.Equal(["{\"b\":2}"], second);
        Assert.Empty(third);
        Assert.Equal(new FileInfo(_file).Length, tail.Offset);
    }

    [Fact]
    public void A_tail_started_at_an_offset_skips_what_was_read_before()
    {
        File.WriteAllText(_file, "one\ntwo\n");

        var tail = new EventFileTail(_file, offset: 4);

        Assert.Equal(["two"], tail.ReadNewLines());
    }

    /// <summary>Lines as loralab train --json printed them on the demo model (max_steps 6, eval and save every 3), shortened to one step.</summary>
    [Fact]
    public void Loralab_events_become_the_same_run_events_a_local_run_reports()
    {
        var collected = new Collected();
        var translator = new SlurmEventTranslator(collected);

        foreach (string line in new[]
                 {
                     """{"event":"prepared","train_examples":800,"eval_examples":200,"trainable_parameters":74752,"total_parameters":3288320,"trainable_percent":2.273258077072791,"total_steps":6,"skipped_records":0}""",
                     """{"event":"step","step":3,"total_steps":6,"epoch":0.015,"loss":3.164890045815326,"learning_rate":0.0006666666666666666,"grad_norm":9.995070457458496,"skipped":false,"tokens_per_second":37.716135471174724,"elapsed_seconds":12.1038151,"eta_seconds":12.1038119,"resident_bytes":266383360}""",
                     """{"event":"evaluation","step":3,"loss":2.9755908743638,"perplexity":19.601201676131517,"tokens":2281,"is_best":true}""",
                     """{"event":"checkpoint","step":3,"path":"/tmp/cfgtest/out/best","is_best":true}""",
                     """{"event":"checkpoint","step":3,"path":"/tmp/cfgtest/out/checkpoints/step-000003","is_best":false}""",
                     """{"event":"finished","status":"completed","steps":6,"final_loss":2.415285856827446,"best_eval_loss":2.478948319705627,"best_step":6,"adapter":"/tmp/cfgtest/out/adapter","best_adapter":"/tmp/cfgtest/out/best","input_tokens":908}""",
                     "a warning a library printed",
                 })
            translator.Translate(line);

        Assert.Equal(
        [
            new LogLine("800 training and 200 evaluation examples (0 records skipped); trainable parameters 74,752 of 3,288,320 (2.273%); 6 steps."),
            new StepMetrics(3, 6, 3.164890045815326, 0.0006666666666666666, 9.995070457458496, 37.716135471174724, 12.1038151),
            new EvaluationMetrics(3, 2.9755908743638, 19.601201676131517, 12.1038151),
            new LogLine("Best evaluation so far at step 3; its adapter is kept."),
            new CheckpointSaved(3, "/tmp/cfgtest/out/checkpoints/step-000003", IsBest: false),
            new LogLine("a warning a library printed"),
        ], collected.Events);
        Assert.Equal("/tmp/cfgtest/out/best", (string?)translator.Finished?["best_adapter"]);
    }

    [Fact]
    public void After_a_reattach_the_events_already_recorded_are_not_reported_again()
    {
        var collected = new Collected();
        var translator = new SlurmEventTranslator(collected, new RecordedProgress(LastStep: 2, LastEvaluationStep: 2, CheckpointSteps: new HashSet<int> { 2 }));

        foreach (string line in new[]
                 {
                     """{"event":"prepared","train_examples":8,"eval_examples":2,"trainable_parameters":1,"total_parameters":2,"trainable_percent":50,"total_steps":4,"skipped_records":0}""",
                     """{"event":"step","step":2,"total_steps":4,"loss":3.0,"learning_rate":0.001,"grad_norm":1.0,"tokens_per_second":10,"elapsed_seconds":2.0}""",
                     """{"event":"evaluation","step":2,"loss":2.5,"perplexity":12.2,"tokens":10,"is_best":true}""",
                     """{"event":"checkpoint","step":2,"path":"/r/best","is_best":true}""",
                     """{"event":"checkpoint","step":2,"path":"/r/checkpoints/step-000002","is_best":false}""",
                     """{"event":"step","step":3,"total_steps":4,"loss":2.0,"learning_rate":0.001,"grad_norm":1.0,"tokens_per_second":10,"elapsed_seconds":3.0}""",
                 })
            translator.Translate(line);

        Assert.Equal([new StepMetrics(3, 4, 2.0, 0.001, 1.0, 10, 3.0)], collected.Events);
    }

    public void Dispose() => File.Delete(_file);
}
