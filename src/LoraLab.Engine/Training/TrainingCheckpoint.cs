using System.Globalization;
using LoraLab.Engine.Checkpoints;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LoraLab.Engine.Training;

/// <summary>
/// A resumable checkpoint folder (<c>checkpoints/step-000120/</c>): the trainable parameters by name, AdamW's moments,
/// libtorch's generator state, the trainer state (step, data position, early-stopping and loss-scale counters) and the
/// options, written atomically. The data position is the whole data-order state, since a batch source's order is a
/// pure function of the epoch. Restoring all of it makes a resumed CPU float32 run bit-identical to an uninterrupted one.
/// </summary>
public static class TrainingCheckpoint
{
    public const string Folder = "checkpoints";
    public const string WeightsFile = "trainable.safetensors";
    public const string OptimizerFile = "optimizer.safetensors";
    public const string GeneratorFile = "rng_state.safetensors";
    public const string StateFile = "trainer_state.json";
    public const string OptionsFile = "training_options.json";
    const string StepPrefix = "step-";
    const string GeneratorKey = "torch_cpu_generator";

    /// <summary>checkpoints/step-{step} under <paramref name="outputDirectory"/>.</summary>
    public static string PathFor(string outputDirectory, long step) =>
        Path.Combine(outputDirectory, Folder, StepPrefix + step.ToString("D6", CultureInfo.InvariantCulture));

    /// <summary>The newest step checkpoint under <paramref name="outputDirectory"/>, or null when there is none.</summary>
    public static string? Latest(string outputDirectory) => StepFolders(outputDirectory).LastOrDefault().Path;

    public static void Save(string directory, IReadOnlyList<(string Name, Parameter Parameter)> trainable, AdamWOptimizer optimizer, TrainerState state, TrainingOptions options)
    {
        AtomicFolder.Write(directory, folder =>
        {
            var metadata = new Dictionary<string, string> { ["format"] = "pt" };
            SafetensorsWriter.Write(Path.Combine(folder, WeightsFile), trainable.Select(p => KeyValuePair.Create(p.Name, (Tensor)p.Parameter)), metadata);
            SafetensorsWriter.Write(Path.Combine(folder, OptimizerFile), optimizer.StateTensors(), metadata);
            using (var generator = random.get_rng_state())
                SafetensorsWriter.Write(Path.Combine(folder, GeneratorFile), [KeyValuePair.Create(GeneratorKey, generator)]);
            File.WriteAllText(Path.Combine(folder, StateFile), state.ToJson());
            File.WriteAllText(Path.Combine(folder, OptionsFile), options.ToJson());
        });
    }

    /// <summary>
    /// Loads the trainable parameters, the optimizer state and the generator state of <paramref name="directory"/> in
    /// place, and returns its trainer state. Names and shapes are checked against the trainable parameters before
    /// anything is loaded, and the mismatches are reported together.
    /// </summary>
    public static TrainerState Restore(string directory, IReadOnlyList<(string Name, Parameter Parameter)> trainable, AdamWOptimizer optimizer)
    {
        string statePath = Path.Combine(directory, StateFile);
        if (!File.Exists(statePath))
            throw new TrainingCheckpointException($"{directory} is not a training checkpoint: it has no {StateFile}.");
        var state = TrainerState.FromJson(File.ReadAllText(statePath), statePath);

        string weightsPath = Path.Combine(directory, WeightsFile), optimizerPath = Path.Combine(directory, OptimizerFile);
        string generatorPath = Path.Combine(directory, GeneratorFile);
        using var weights = OpenFile(weightsPath);
        using var moments = OpenFile(optimizerPath);
        using var generator = OpenFile(generatorPath);
        CheckWeights(weights, trainable, weightsPath);
        if (!generator.Tensors.ContainsKey(GeneratorKey)) throw new TrainingCheckpointException($"{generatorPath} has no tensor '{GeneratorKey}'.");

        optimizer.LoadState(state.OptimizerSteps, name => moments.Tensors.ContainsKey(name) ? moments.Load(name) : null, optimizerPath);
        using (var noGrad = no_grad())
            foreach (var (name, p) in trainable)
            {
                using var scope = NewDisposeScope();
                p.copy_(weights.Load(name, p.device, p.dtype));
            }
        using (var generatorState = generator.Load(GeneratorKey))
            random.set_rng_state(generatorState);
        return state;
    }

    /// <summary>Deletes the oldest step checkpoints until at most <paramref name="keep"/> remain.</summary>
    public static void Prune(string outputDirectory, int keep)
    {
        var folders = StepFolders(outputDirectory);
        foreach (var (path, _) in folders.Take(Math.Max(0, folders.Count - keep))) Directory.Delete(path, recursive: true);
    }

    static List<(string Path, long Step)> StepFolders(string outputDirectory)
    {
        string root = Path.Combine(outputDirectory, Folder);
        if (!Directory.Exists(root)) return [];
        return Directory.GetDirectories(root, StepPrefix + "*")
            .Select(path => (Path: path, Step: long.TryParse(Path.GetFileName(path)[StepPrefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out long s) ? s : -1))
            .Where(f => f.Step >= 0)
            .OrderBy(f => f.Step)
            .ToList();
    }

    static SafetensorsFile OpenFile(string path) =>
        File.Exists(path) ? SafetensorsFile.Open(path) : throw new TrainingCheckpointException($"{path} does not exist: the checkpoint is incomplete.");

    static void CheckWeights(SafetensorsFile file, IReadOnlyList<(string Name, Parameter Parameter)> trainable, string source)
    {
        var problems = new List<string>();
        foreach (var (name, p) in trainable)
        {
            if (!file.Tensors.TryGetValue(name, out var entry)) problems.Add($"{name} is missing");
            else if (!entry.Shape.SequenceEqual(p.shape))
                problems.Add($"{name} has shape [{string.Join(", ", entry.Shape)}] but the model's is [{string.Join(", ", p.shape)}]");
        }
        var expected = trainable.Select(p => p.Name).ToHashSet();
        problems.AddRange(file.Tensors.Keys.Where(k => !expected.Contains(k)).Order(StringComparer.Ordinal).Select(k => $"{k} is not a trainable parameter of this run"));
        if (problems.Count > 0)
            throw new TrainingCheckpointException($"{source} does not fit this model and method: {string.Join("; ", problems.Take(5))}" +
                (problems.Count > 5 ? $" (and {problems.Count - 5} more)." : "."));
    }
}
