using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace LoraLab.Engine.Models;

/// <summary>
/// <see cref="DecoderLayer.Forward"/> for one new token per row, float32 on the CPU without gradients, on raw pointers:
/// RMSNorm, q/k/v, the rotary embedding, the KV-cache write, attention over the cache, o, the residuals and the SwiGLU
/// MLP. Composed of libtorch operations the same layer makes about 60 calls of a few microseconds each (dispatch,
/// allocation, dispose-scope bookkeeping), about 10 ms of a 35 ms token on SmolLM2-135M; here it makes a handful. The
/// products are <see cref="FewRowLinear"/>'s, q/k/v and gate/up each handed to the helper threads as one group. A
/// projection that is not a plain float32 <see cref="LinearLayer"/> (an adapter's wrapper) is called as a module on a
/// tensor view of its input, so every adapter keeps its own forward.
/// </summary>
internal static unsafe class FusedDecodeLayer
{
    /// <summary>
    /// One query token per row, at most <see cref="FewRowLinear.MaxRows"/> rows, float32 on the CPU, no gradient, a KV
    /// cache, no q/k norms (Qwen3), and a mask (if any) of one boolean per row and key.
    /// </summary>
    public static bool Applies(DecoderLayer layer, Tensor x, AttentionContext ctx)
    {
        if (!FewRowLinear.Supported || is_grad_enabled() || ctx.Cache is null || layer.self_attn.q_norm is not null) return false;
        if (x.device_type != DeviceType.CPU || x.dtype != ScalarType.Float32 || x.dim() != 3 || x.shape[1] != 1 || x.shape[0] > FewRowLinear.MaxRows) return false;
        long B = x.shape[0], keys = ctx.Cache.Length + 1;
        bool rotaryFits = ctx.Cos.dtype == ScalarType.Float32 && ctx.Sin.dtype == ScalarType.Float32 && ctx.Cos.dim() == 4
            && ctx.Cos.shape[0] is var cb && (cb == B || cb == 1) && ctx.Cos.shape[2] == 1 && ctx.Sin.shape.SequenceEqual(ctx.Cos.shape);
        bool maskFits = ctx.Mask is not { } m
            || (m.dtype == ScalarType.Bool && m.dim() == 4 && m.shape[0] == B && m.shape[1] == 1 && m.shape[2] == 1 && m.shape[3] == keys);
        return rotaryFits && maskFits && layer.input_layernorm.weight.dtype == ScalarType.Float32 && layer.post_attention_layernorm.weight.dtype == ScalarType.Float32;
    }

    /// <param name="x">(B, 1, D)</param>
    /// <returns>(B, 1, D), as <see cref="DecoderLayer.Forward"/></returns>
    public static Tensor Forward(DecoderLayer layer, Tensor x, AttentionContext ctx)
    {
        using var scope = NewDisposeScope();
        var attention = layer.self_attn;
        var cache = ctx.Cache!;
        int B = (int)x.shape[0], nH = attention.Heads, nKV = attention.KvHeads, hD = attention.HeadDim;
        long D = x.shape[2], I = layer.mlp.IntermediateSize, past = cache.Length, Tk = past + 1;
        long qF = nH * hD, kvF = nKV * hD;

        var input = x.contiguous();                                                  // (B, 1, D)
        var output = empty([B, 1, D], ScalarType.Float32, x.device);                 // (B, 1, D): h, then h + mlp(norm(h))
        var (normed, q, k, v, attended, projected, gate, up, scores) = (B * D, B * qF, B * kvF, B * kvF, B * qF, B * D, B * I, B * I, B * nH * Tk);
        var scratch = empty([normed + q + k + v + attended + projected + gate + up + scores], ScalarType.Float32, x.device);
        float* xP = Ptr(input), outP = Ptr(output), normedP = Ptr(scratch), qP = normedP + normed, kP = qP + q, vP = kP + k,
            attendedP = vP + v, projectedP = attendedP + attended, gateP = projectedP + projected, upP = gateP + gate, scoresP = upP + up;

        // Attention: x + o(attend(rope(q), rope(k) and v appended to the cache)).
        var norm1 = layer.input_layernorm;
        FusedDecodeKernels.RmsNorm(xP, Ptr(norm1.weight), normedP, B, D, norm1.Eps);
        Project(scratch, normedP, B, D,
            [(attention.q_proj, (nint)qP, qF), (attention.k_proj, (nint)kP, kvF), (attention.v_proj, (nint)vP, kvF)]);
        var cos = ctx.Cos.contiguous();   // (B or 1, 1, 1, hD)
        var sin = ctx.Sin.contiguous();
        long rotaryStride = cos.shape[0] == 1 ? 0 : hD;
        FusedDecodeKernels.Rotate(qP, Ptr(cos), Ptr(sin), B, nH, hD, rotaryStride);
        FusedDecodeKernels.Rotate(kP, Ptr(cos), Ptr(sin), B, nKV, hD, rotaryStride);
        var (keyBuffer, valueBuffer) = cache.Reserve(attention.LayerIndex, B, nKV, hD, ScalarType.Float32, x.device, 1);   // (B, nKV, capacity, hD)
        long capacity = keyBuffer.shape[2];
        float* keysP = Ptr(keyBuffer), valuesP = Ptr(valueBuffer);
        FusedDecodeKernels.WriteCacheColumn(kP, keysP, B, nKV, hD, capacity, past);
        FusedDecodeKernels.WriteCacheColumn(vP, valuesP, B, nKV, hD, capacity, past);
        var mask = ctx.Mask?.contiguous();   // (B, 1, 1, Tk) bool
        var job = new FusedDecodeKernels.AttentionJob(qP, keysP, valuesP, mask is null ? null : (byte*)FewRowLinear.Address(mask),
            attendedP, scoresP, nH, nKV, hD, capacity, Tk);
        ProductThreads.Run(B * nKV, get_num_threads(), job.Run);
        Project(scratch, attendedP, B, qF, [(attention.o_proj, (nint)projectedP, D)]);
        FusedDecodeKernels.Add(xP, projectedP, outP, B * D);

        // MLP: h + down(silu(gate(norm(h))) · up(norm(h))).
        var norm2 = layer.post_attention_layernorm;
        var mlp = layer.mlp;
        FusedDecodeKernels.RmsNorm(outP, Ptr(norm2.weight), normedP, B, D, norm2.Eps);
        Project(scratch, normedP, B, D, [(mlp.gate_proj, (nint)gateP, I), (mlp.up_proj, (nint)upP, I)]);
        FusedDecodeKernels.SiluTimes(gateP, upP, B * I);
        Project(scratch, gateP, B, I, [(mlp.down_proj, (nint)projectedP, D)]);
        FusedDecodeKernels.Add(outP, projectedP, outP, B * D);

        GC.KeepAlive(keyBuffer);
        GC.KeepAlive(valueBuffer);
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// y_i = module_i(x) (rows, out_i) for modules that share the input x (rows, in): plain float32 linear layers and the
    /// routed adapters around them (<see cref="IRoutedLinear"/>) as one product group, base and x·Aᵀ, then each row's
    /// own low-rank update (<see cref="RoutedLowRankUpdate"/>); any other module called on a (rows, 1, in) view of x,
    /// which lies in <paramref name="scratch"/>, and its result copied.
    /// </summary>
    static void Project(Tensor scratch, float* x, int rows, long inF, (nn.Module<Tensor, Tensor> Module, nint Y, long OutF)[] targets)
    {
        var plans = new (LinearLayer? Base, RoutedUpdate? Update)[targets.Length];
        long lowRank = 0;
        for (int i = 0; i < targets.Length; i++)
        {
            plans[i] = Plan(targets[i].Module, rows);
            if (plans[i].Update is { } update) lowRank += rows * update.A.shape[0];
        }
        using var lowBuffer = lowRank > 0 ? empty([lowRank], ScalarType.Float32, scratch.device) : null;   // (rows, K·r) per update: x·Aᵀ
        float* low = lowBuffer is null ? null : Ptr(lowBuffer);

        var bases = new List<FewRowLinear.Product>(2 * targets.Length);
        var updates = new List<RoutedLowRankUpdate>(targets.Length);
        Tensor? xView = null;
        for (int i = 0; i < targets.Length; i++)
        {
            var (module, y, outF) = targets[i];
            if (plans[i].Base is not { } linear)
            {
                var result = module.call(xView ??= scratch.narrow(0, x - Ptr(scratch), rows * inF).view(rows, 1, inF)).contiguous();   // (rows, 1, out)
                if (result.dtype != ScalarType.Float32 || result.numel() != rows * outF)
                    throw new InvalidOperationException($"{module.GetType().Name} returned {result.dtype} ({string.Join(", ", result.shape)}), not float32 ({rows}, 1, {outF}).");
                Buffer.MemoryCopy(Ptr(result), (float*)y, rows * outF * sizeof(float), rows * outF * sizeof(float));
                continue;
            }
            bases.Add(new FewRowLinear.Product(x, Ptr(linear.weight), linear.bias is null ? null : Ptr(linear.bias), (float*)y, rows, inF, outF));
            if (plans[i].Update is not { } update) continue;
            long R = update.A.shape[0];
            bases.Add(new FewRowLinear.Product(x, Ptr(update.A), null, low, rows, inF, R));
            updates.Add(new RoutedLowRankUpdate(low, Ptr(update.UpT), (long*)FewRowLinear.Address(update.RowSlot), (float*)y, rows, update.Rank, R / update.Rank, outF));
            low += rows * R;
        }
        if (bases.Count > 0) FewRowLinear.Run(CollectionsMarshal.AsSpan(bases));
        if (updates.Count > 0) RoutedLowRankUpdate.Run(CollectionsMarshal.AsSpan(updates));
    }

    /// <summary>The plain float32 base layer of a module and its routed update, or no base: the module runs its own forward.</summary>
    static (LinearLayer? Base, RoutedUpdate? Update) Plan(nn.Module<Tensor, Tensor> module, long rows)
    {
        if (module is LinearLayer linear) return (IsPlain(linear) ? linear : null, null);
        if (module is not IRoutedLinear routed || !routed.TryRouted(rows, out var baseLayer, out var update) || !IsPlain(baseLayer)) return (null, null);
        if (update is { } u && !(IsPlainFactor(u.A) && IsPlainFactor(u.UpT) && u.RowSlot is { dtype: ScalarType.Int64, device_type: DeviceType.CPU } && u.RowSlot.is_contiguous())) return (null, null);
        return (baseLayer, update);
    }

    static bool IsPlainFactor(Tensor t) => t.dtype == ScalarType.Float32 && t.device_type == DeviceType.CPU && t.is_contiguous();

    static bool IsPlain(LinearLayer linear) =>
        linear.weight.dtype == ScalarType.Float32 && linear.weight.device_type == DeviceType.CPU && linear.weight.is_contiguous()
        && (linear.bias is null || linear.bias.dtype == ScalarType.Float32);

    static float* Ptr(Tensor t) => (float*)FewRowLinear.Address(t);
}
