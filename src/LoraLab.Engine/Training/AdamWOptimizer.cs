using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LoraLab.Engine.Training;

/// <summary>
/// AdamW (Loshchilov &amp; Hutter 2019) with the update order of torch.optim.AdamW's single-tensor path:
/// p ← p·(1 − lr·λ); m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε).
/// Written out rather than taken from TorchSharp so that its whole state (m, v, t) is plain tensors under the
/// parameters' names, saved and restored bit for bit.
/// </summary>
/// <remarks>
/// Weight decay applies to matrices only (two or more dimensions, and neither a norm nor a bias by name): nanoGPT's
/// rule, which also covers transformers' exemption of biases and norm weights. One-dimensional trainables are scales or offsets whose neutral value is not zero (a DoRA
/// magnitude, an IA³ vector, a norm weight): decaying them would pull the model away from the base, not towards it.
/// </remarks>
public sealed class AdamWOptimizer : IDisposable
{
    readonly IReadOnlyList<Slot> slots;
    readonly double beta1, beta2, epsilon, weightDecay;

    sealed record Slot(string Name, Parameter Parameter, Tensor ExpAvg, Tensor ExpAvgSq, bool Decays);

    public AdamWOptimizer(IReadOnlyList<(string Name, Parameter Parameter)> parameters, double beta1, double beta2, double epsilon, double weightDecay)
    {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
        var names = new HashSet<string>();
        slots = parameters.Select(p =>
        {
            if (!names.Add(p.Name)) throw new ArgumentException($"Trainable parameter '{p.Name}' is listed twice.");
            if (p.Parameter.dtype != ScalarType.Float32)
                throw new ArgumentException($"Trainable parameter '{p.Name}' is {p.Parameter.dtype}; adapters and their optimizer state are float32.");
            return new Slot(p.Name, p.Parameter, Moment(p.Parameter), Moment(p.Parameter), Decays(p.Name, p.Parameter));
        }).ToList();
    }

    public AdamWOptimizer(IReadOnlyList<(string Name, Parameter Parameter)> parameters, TrainingOptions options)
        : this(parameters, options.AdamBeta1, options.AdamBeta2, options.AdamEpsilon, options.WeightDecay)
    {
    }

    static Tensor Moment(Parameter p) => zeros_like(p).DetachFromDisposeScope();

    /// <summary>Updates taken so far (t); the bias corrections depend on it.</summary>
    public long StepCount { get; private set; }

    /// <summary>Whether weight decay applies to a parameter: matrices only, never norms or biases.</summary>
    public static bool Decays(string name, Tensor parameter) =>
        parameter.dim() >= 2 && !name.Contains("norm", StringComparison.OrdinalIgnoreCase) && !name.EndsWith(".bias", StringComparison.Ordinal);

    /// <summary>Updates every parameter that has a gradient with learning rate <paramref name="learningRate"/>.</summary>
    public void Step(double learningRate)
    {
        using var noGrad = no_grad();
        StepCount++;
        double biasCorrection1 = 1 - Math.Pow(beta1, StepCount);
        double biasCorrection2Sqrt = Math.Sqrt(1 - Math.Pow(beta2, StepCount));
        double stepSize = learningRate / biasCorrection1;
        foreach (var slot in slots)
        {
            using var scope = NewDisposeScope();
            if (slot.Parameter.grad is not { } g) continue;
            var p = slot.Parameter;
            if (slot.Decays && weightDecay != 0) p.mul_(1 - learningRate * weightDecay);
            slot.ExpAvg.mul_(beta1).add_(g, alpha: 1 - beta1);
            slot.ExpAvgSq.mul_(beta2).addcmul_(g, g, value: 1 - beta2);
            var denominator = (slot.ExpAvgSq.sqrt() / biasCorrection2Sqrt).add_(epsilon);
            p.addcdiv_(slot.ExpAvg, denominator, value: -stepSize);
        }
    }

    /// <summary>Drops every gradient (set to none, as PyTorch's default), which frees their memory between steps.</summary>
    public void ZeroGrad()
    {
        foreach (var slot in slots) slot.Parameter.grad = null;
    }

    /// <summary>exp_avg.{name} and exp_avg_sq.{name} for every parameter; the tensors are the optimizer's own.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> StateTensors() =>
        slots.SelectMany(s => new[] { KeyValuePair.Create($"exp_avg.{s.Name}", s.ExpAvg), KeyValuePair.Create($"exp_avg_sq.{s.Name}", s.ExpAvgSq) });

    /// <summary>
    /// Restores the state saved from <see cref="StateTensors"/> and <see cref="StepCount"/>. Every name must be present
    /// with its parameter's shape; <paramref name="load"/> returns null for a missing name.
    /// </summary>
    public void LoadState(long stepCount, Func<string, Tensor?> load, string source)
    {
        using var scope = NewDisposeScope();
        var stored = StateTensors().Select(s => (s.Key, Target: s.Value, Stored: load(s.Key))).ToList();
        var problems = stored
            .Select(s => s.Stored is null ? $"{s.Key} is missing"
                : s.Stored.shape.SequenceEqual(s.Target.shape) ? null
                : $"{s.Key} has shape [{string.Join(", ", s.Stored.shape)}], expected [{string.Join(", ", s.Target.shape)}]")
            .OfType<string>().ToList();
        if (problems.Count > 0)
            throw new TrainingCheckpointException($"{source} does not match the trainable parameters: {string.Join("; ", problems.Take(5))}" +
                (problems.Count > 5 ? $" (and {problems.Count - 5} more)." : "."));
        using var noGrad = no_grad();
        foreach (var (_, target, value) in stored) target.copy_(value!);
        StepCount = stepCount;
    }

    public void Dispose()
    {
        foreach (var slot in slots)
        {
            slot.ExpAvg.Dispose();
            slot.ExpAvgSq.Dispose();
        }
    }
}
