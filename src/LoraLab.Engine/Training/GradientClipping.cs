using static TorchSharp.torch;

namespace LoraLab.Engine.Training;

/// <summary>Clipping by the norm of all gradients taken together, as torch.nn.utils.clip_grad_norm_.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales the gradients in place by min(1, max / (‖g‖ + 1e-6)) when <paramref name="maxNorm"/> is given, and
    /// returns ‖g‖ before clipping: the 2-norm of the per-tensor 2-norms.
    /// </summary>
    public static double ClipTotalNorm(IReadOnlyList<Tensor> gradients, double? maxNorm)
    {
        if (gradients.Count == 0) return 0;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var total = stack(gradients.Select(g => g.norm())).norm();
        if (maxNorm is { } max)
        {
            var coefficient = (max / (total + 1e-6)).clamp_max(1.0);
            foreach (var g in gradients) g.mul_(coefficient);
        }
        return total.item<float>();
    }
}
