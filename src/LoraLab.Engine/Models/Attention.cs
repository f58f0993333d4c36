using TorchSharp;
using static TorchSharp.torch;

namespace LoraLab.Engine.Models;

/// <summary>Grouped-query self-attention with rotary embeddings, as transformers' LlamaAttention (plus Qwen2 biases and Qwen3 q/k norms).</summary>
public sealed class Attention : SwappableModule
{
    public nn.Module<Tensor, Tensor> q_proj, k_proj, v_proj, o_proj;
    public RmsNorm? q_norm, k_norm;
    readonly int layerIndex, heads, kvHeads, headDim;

    internal int LayerIndex => layerIndex;
    internal int Heads => heads;
    internal int KvHeads => kvHeads;
    internal int HeadDim => headDim;

    public Attention(ModelConfig c, int layerIndex, Device device, ScalarType dtype) : base("Attention")
    {
        this.layerIndex = layerIndex;
        heads = c.NumAttentionHeads;
        kvHeads = c.NumKeyValueHeads;
        headDim = c.HeadDim;
        q_proj = new LinearLayer(c.HiddenSize, heads * headDim, c.QkvBias, device, dtype);
        k_proj = new LinearLayer(c.HiddenSize, kvHeads * headDim, c.QkvBias, device, dtype);
        v_proj = new LinearLayer(c.HiddenSize, kvHeads * headDim, c.QkvBias, device, dtype);
        o_proj = new LinearLayer(heads * headDim, c.HiddenSize, c.OutputBias, device, dtype);
        if (c.QkNorm)
        {
            q_norm = new RmsNorm(headDim, c.RmsNormEps, device, dtype);
            k_norm = new RmsNorm(headDim, c.RmsNormEps, device, dtype);
        }
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, AttentionContext ctx)
    {
        using var scope = NewDisposeScope();
        long B = x.shape[0], T = x.shape[1];

        var q = q_proj.call(x).view(B, T, heads, headDim);     // (B, T, nH, hD)
        var k = k_proj.call(x).view(B, T, kvHeads, headDim);   // (B, T, nKV, hD)
        var v = v_proj.call(x).view(B, T, kvHeads, headDim);   // (B, T, nKV, hD)
        if (q_norm is not null) q = q_norm.call(q);
        if (k_norm is not null) k = k_norm.call(k);
        q = RotaryEmbedding.Apply(q.transpose(1, 2), ctx.Cos, ctx.Sin);   // (B, nH, T, hD)
        k = RotaryEmbedding.Apply(k.transpose(1, 2), ctx.Cos, ctx.Sin);   // (B, nKV, T, hD)
        v = v.transpose(1, 2);                                             // (B, nKV, T, hD)
        if (ctx.Cache is not null) (k, v) = ctx.Cache.Append(layerIndex, k, v);   // (B, nKV, Tk, hD)

        var y = T == 1 ? DecodeAttention(q, k, v, ctx.Mask) : PrefillAttention(q, k, v, ctx.Mask);   // (B, nH, T, hD)
        y = y.transpose(1, 2).reshape(B, T, heads * headDim);                                         // (B, T, nH·hD)
        return o_proj.call(y).MoveToOuterDisposeScope();
    }

    Tensor PrefillAttention(Tensor q, Tensor k, Tensor v, Tensor? mask)
    {
        if (EagerAttention.Preferred(q.dtype, q.shape[2], k.shape[2])) return EagerAttention.Forward(q, k, v, mask);
        k = RepeatKv(k, heads / kvHeads);   // (B, nH, Tk, hD)
        v = RepeatKv(v, heads / kvHeads);   // (B, nH, Tk, hD)
        return nn.functional.scaled_dot_product_attention(q, k, v, mask, is_casual: mask is null);
    }

    /// <summary>
    /// One query token: the query heads of each KV group take the place of the query axis, so the cached keys and values
    /// are read in place instead of being repeated for every head at every step. The (B, 1, 1, Tk) mask broadcasts.
    /// </summary>
    Tensor DecodeAttention(Tensor q, Tensor k, Tensor v, Tensor? mask)
    {
        long B = q.shape[0];
        var grouped = q.reshape(B, kvHeads, heads / kvHeads, headDim);                  // (B, nKV, groups, hD)
        var y = nn.functional.scaled_dot_product_attention(grouped, k, v, mask);        // (B, nKV, groups, hD)
        return y.reshape(B, heads, 1, headDim);                                         // (B, nH, 1, hD)
    }

    /// <summary>transformers' repeat_kv: KV head j serves query heads j·groups … j·groups + groups − 1.</summary>
    static Tensor RepeatKv(Tensor kv, int groups)
    {
        if (groups == 1) return kv;
        long B = kv.shape[0], nKV = kv.shape[1], Tk = kv.shape[2], hD = kv.shape[3];
        return kv.unsqueeze(2).expand(B, nKV, groups, Tk, hD).reshape(B, nKV * groups, Tk, hD);
    }
}
