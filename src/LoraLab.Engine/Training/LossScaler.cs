using static TorchSharp.torch;

namespace LoraLab.Engine.Training;

/// <summary>
/// Dynamic loss scaling for fp16 (Micikevicius et al. 2018), with the defaults and rules of torch.amp.GradScaler: the loss
/// is multiplied by the scale before backward so small gradients survive fp16; gradients are divided back before
/// clipping; a step whose gradients overflowed is skipped and halves the scale, and 2000 clean steps in a row double it.
/// </summary>
public sealed class LossScaler
{
    public const double InitialScale = 65536, GrowthFactor = 2, BackoffFactor = 0.5;
    public const int GrowthInterval = 2000;

    public LossScaler(double scale = InitialScale, int cleanSteps = 0)
    {
        Scale = scale;
        CleanSteps = cleanSteps;
    }

    public double Scale { get; private set; }

    /// <summary>Steps without overflow since the scale last changed.</summary>
    public int CleanSteps { get; private set; }

    /// <summary>Divides the gradients by the scale in place; returns whether any of them is infinite or NaN.</summary>
    public bool Unscale(IEnumerable<Tensor> gradients)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var finite = gradients.Select(g => g.mul_(1.0 / Scale).isfinite().all()).ToList();
        return finite.Count > 0 && !stack(finite).all().item<bool>();
    }

    /// <summary>Backs off after an overflow, grows after <see cref="GrowthInterval"/> clean steps.</summary>
    public void Update(bool overflow)
    {
        if (overflow)
        {
            Scale *= BackoffFactor;
            CleanSteps = 0;
            return;
        }
        if (++CleanSteps < GrowthInterval) return;
        Scale *= GrowthFactor;
        CleanSteps = 0;
    }
}
