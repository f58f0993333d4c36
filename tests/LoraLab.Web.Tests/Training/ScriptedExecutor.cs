using System.Threading.Channels;
using LoraLab.Web.Training;

namespace LoraLab.Web.Tests.Training;

/// <summary>
/// A deterministic stand-in for the trainer: reports <see cref="Steps"/> steps with the values of <see cref="Step"/>,
/// saves a checkpoint folder every <see cref="CheckpointEvery"/> steps, evaluates once at the end and writes an
/// adapter folder with a placeholder adapter_config.json. A run named <see cref="FailRunNamed"/> fails. With <see cref="BlockBeforeStep"/> set it stops before that
/// step until <see cref="Release"/> (or cancellation); a resumed run continues after its checkpoint's step.
/// </summary>
public sealed class ScriptedExecutor : IRunExecutor
{
    public const double EvalLoss = 1.25;

    public const string AdapterConfig = """{"peft_type": "LORA", "r": 8, "lora_alpha": 16, "target_modules": ["q_proj", "v_proj"]}""";

    readonly ManualResetEventSlim _gate = new(false);
    readonly Channel<int> _blocked = Channel.CreateUnbounded<int>();
    readonly Lock _lock = new();
    readonly List<RunRequest> _requests = [];

    public int Steps { get; init; } = 4;
    public int CheckpointEvery { get; init; } = 2;
    public int? BlockBeforeStep { get; init; }
    /// <summary>A run of this name throws after its first step, as a trainer with a bad configuration would.</summary>
    public string? FailRunNamed { get; init; }

    public IReadOnlyList<RunRequest> Requests
    {
        get { lock (_lock) return _requests.ToList(); }
    }

    public static StepMetrics Step(int step, int totalSteps) =>
        new(step, totalSteps, Loss: 4.0 / (step + 1), LearningRate: 1e-3 * step, GradNorm: 0.5, TokensPerSecond: 100.0 * step, ElapsedSeconds: 0.25 * step);

    /// <summary>The id of the next run that stops at <see cref="BlockBeforeStep"/>.</summary>
    public async Task<int> WaitUntilBlockedAsync() => await _blocked.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>Lets every blocked run, and every later one, go on.</summary>
    public void Release() => _gate.Set();

    public RunOutcome Execute(RunRequest request, IProgress<RunEvent> events, CancellationToken cancellation)
    {
        lock (_lock) _requests.Add(request);
        int first = (request.ResumeFromStep ?? 0) + 1;
        events.Report(new LogLine($"training '{request.RunName}' from step {first}"));
        for (int step = first; step <= Steps; step++)
        {
            if (step == BlockBeforeStep && !_gate.IsSet)
            {
                _blocked.Writer.TryWrite(request.RunId);
                _gate.Wait(cancellation);
            }
            cancellation.ThrowIfCancellationRequested();
            events.Report(Step(step, Steps));
            if (request.RunName == FailRunNamed) throw new InvalidOperationException($"'{request.RunName}' cannot be trained: learning_rate is negative.");
            if (step % CheckpointEvery == 0)
            {
                string folder = Directory.CreateDirectory(Path.Combine(request.CheckpointsFolder, $"step-{step}")).FullName;
                File.WriteAllText(Path.Combine(folder, "trainer_state.json"), $$"""{"step": {{step}}}""");
                events.Report(new CheckpointSaved(step, folder, IsBest: false));
            }
        }
        events.Report(new EvaluationMetrics(Steps, EvalLoss, Math.Exp(EvalLoss), 0.25 * Steps));
        Directory.CreateDirectory(request.AdapterFolder);
        File.WriteAllText(Path.Combine(request.AdapterFolder, "adapter_config.json"), AdapterConfig);
        File.WriteAllBytes(Path.Combine(request.AdapterFolder, "adapter_model.safetensors"), [8, 0, 0, 0, 0, 0, 0, 0, .. "{}      "u8.ToArray()]);
        events.Report(new LogLine("adapter saved"));
        return new RunOutcome(Step(Steps, Steps).Loss, EvalLoss, Math.Exp(EvalLoss), 100.0 * Steps);
    }
}
