using LoraLab.Engine.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LoraLab.Engine.Training;

/// <summary>
/// Gradient checkpointing of one decoder block (Chen et al. 2016, "Training Deep Nets with Sublinear Memory Cost"):
/// the forward pass runs without building a graph and keeps only the block's input; the backward pass runs the block
/// again with gradients on and back-propagates through that recomputation. Activation memory drops from every
/// intermediate of every block to one hidden state per block, for about one more forward pass of compute.
/// </summary>
/// <remarks>
/// The block's trainable parameters are inputs of the autograd function, which returns their gradients itself;
/// otherwise the first block, whose input (a frozen embedding) needs no gradient, would be cut from the graph (the
/// pitfall of PyTorch's re-entrant checkpoint). The generator state is saved before the forward pass and restored
/// around the recomputation, so dropout draws the same mask both times.
/// </remarks>
public sealed class BlockCheckpoint : autograd.SingleTensorFunction<BlockCheckpoint>
{
    const int FixedInputs = 3;   // x, the layer, the attention context; the trainable parameters follow

    public override string Name => nameof(BlockCheckpoint);

    /// <summary>
    /// A <see cref="DecoderModel.BlockRunner"/>: checkpoints the block while a graph is being built, and runs it
    /// directly otherwise (evaluation under no_grad, generation with a KV cache).
    /// </summary>
    public static Tensor Run(DecoderLayer layer, Tensor x, AttentionContext ctx)
    {
        if (!is_grad_enabled() || ctx.Cache is not null) return layer.Forward(x, ctx);
        var inputs = new List<object> { x, layer, ctx };
        inputs.AddRange(layer.parameters().Where(p => p.requires_grad));
        return apply(inputs.ToArray());
    }

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (x, layer, attention) = ((Tensor)vars[0], (DecoderLayer)vars[1], (AttentionContext)vars[2]);
        // Saved tensors are held by the graph, so they outlive the dispose scopes that made them.
        var saved = new List<Tensor> { x, attention.Cos, attention.Sin, random.get_rng_state() };
        if (attention.Mask is { } mask) saved.Add(mask);
        ctx.save_for_backward(saved);
        ctx.save_data("layer", layer);
        return layer.Forward(x, attention);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var saved = ctx.get_saved_variables();
        var layer = (DecoderLayer)ctx.get_data("layer");
        var parameters = layer.parameters().Where(p => p.requires_grad).Cast<Tensor>().ToList();

        using var scope = NewDisposeScope();
        var x = saved[0].detach().requires_grad_(true);                                         // (B, T, D)
        var attention = new AttentionContext(saved[1], saved[2], saved.Count > 4 ? saved[4] : null, null);
        var generatorState = random.get_rng_state();
        random.set_rng_state(saved[3]);
        Tensor y;
        using (enable_grad()) y = layer.Forward(x, attention);                                  // (B, T, D)
        random.set_rng_state(generatorState);

        var grads = autograd.grad([y], [x, .. parameters], [gradOutput], allow_unused: true);
        var result = new List<Tensor>(FixedInputs + parameters.Count) { grads[0], null!, null! };
        result.AddRange(grads.Skip(1));
        foreach (var g in result) g?.MoveToOuterDisposeScope();
        return result;
    }
}
