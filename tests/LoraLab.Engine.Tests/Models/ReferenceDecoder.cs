using LoraLab.Engine.Models;
using static TorchSharp.torch;

namespace LoraLab.Engine.Tests.Models;

/// <summary>
/// A deliberately plain float64 re-implementation of the Hugging Face Llama/Qwen forward pass over arrays, with
/// loops instead of tensor ops, sharing nothing with the engine but the weights. The independent reference.
/// </summary>
sealed class ReferenceDecoder
{
    readonly ModelConfig c;
    readonly Dictionary<string, (double[] Data, long[] Shape)> w;

    public ReferenceDecoder(CausalLM lm) : this(lm.Config, Float64Weights(lm)) { }

    /// <param name="weights">Hugging Face key → (row-major float64 data, shape).</param>
    public ReferenceDecoder(ModelConfig config, Dictionary<string, (double[] Data, long[] Shape)> weights)
    {
        c = config;
        w = weights;
    }

    public static Dictionary<string, (double[] Data, long[] Shape)> Float64Weights(CausalLM lm) =>
        lm.state_dict().ToDictionary(kv => kv.Key, kv => (kv.Value.to(ScalarType.Float64).data<double>().ToArray(), kv.Value.shape));

    /// <summary>Logits [t][v] for one sequence of ids at positions 0..T-1.</summary>
    public double[][] Logits(int[] ids) => Run(Embed(ids), positionOffset: 0, prefix: null);

    /// <summary>
    /// Logits of the real tokens after P virtual token embeddings, as PEFT's prompt tuning runs them: the
    /// concatenated sequence numbered from 0, so the real tokens take positions P..P+T-1.
    /// </summary>
    public double[][] LogitsAfterVirtualTokens(double[][] virtualEmbeddings, int[] ids) =>
        Run([.. virtualEmbeddings, .. Embed(ids)], positionOffset: 0, prefix: null)[virtualEmbeddings.Length..];

    /// <summary>
    /// Logits with P stored keys and values in front of every layer, as transformers runs a KV cache of length P:
    /// the real tokens take positions P..P+T-1 and the stored keys are used as they are (no norm, no rotation).
    /// </summary>
    /// <param name="prefix">[layer] → (keys, values), each [kvHead][p][d].</param>
    public double[][] LogitsAfterPrefix(PrefixKeysValues prefix, int[] ids) => Run(Embed(ids), prefix.Length, prefix);

    public sealed record PrefixKeysValues(double[][][][] Keys, double[][][][] Values)
    {
        public int Length => Keys[0][0].Length;
    }

    double[][] Embed(int[] ids)
    {
        int D = c.HiddenSize;
        var emb = w["model.embed_tokens.weight"].Data;
        return ids.Select(id => emb.AsSpan(id * D, D).ToArray()).ToArray();
    }

    double[][] Run(double[][] h, int positionOffset, PrefixKeysValues? prefix)
    {
        for (int l = 0; l < c.NumHiddenLayers; l++)
        {
            string p = $"model.layers.{l}.";
            var attnIn = h.Select(x => RmsNorm(x, p + "input_layernorm.weight")).ToArray();
            var attnOut = Attention(attnIn, p + "self_attn.", positionOffset, prefix is null ? null : (prefix.Keys[l], prefix.Values[l]));
            h = h.Select((x, t) => Add(x, attnOut[t])).ToArray();
            var mlpIn = h.Select(x => RmsNorm(x, p + "post_attention_layernorm.weight")).ToArray();
            h = h.Select((x, t) => Add(x, Mlp(mlpIn[t], p + "mlp."))).ToArray();
        }
        string head = c.TieWordEmbeddings ? "model.embed_tokens.weight" : "lm_head.weight";
        return h.Select(x => MatVec(head, RmsNorm(x, "model.norm.weight"))).ToArray();
    }

    double[][] Attention(double[][] x, string p, int positionOffset, (double[][][] Keys, double[][][] Values)? prefix)
    {
        int T = x.Length, H = c.NumAttentionHeads, KV = c.NumKeyValueHeads, hd = c.HeadDim, P = positionOffset;
        var q = x.Select(v => Linear(p + "q_proj", v)).ToArray();
        var k = x.Select(v => Linear(p + "k_proj", v)).ToArray();
        var v = x.Select(v => Linear(p + "v_proj", v)).ToArray();
        var output = new double[T][];
        for (int t = 0; t < T; t++) output[t] = new double[H * hd];
        for (int head = 0; head < H; head++)
        {
            int kvHead = head / (H / KV);
            var qs = Enumerable.Range(0, T).Select(t => Rope(HeadNorm(q[t].AsSpan(head * hd, hd).ToArray(), p + "q_norm.weight"), P + t)).ToArray();
            var ks = Enumerable.Range(0, T).Select(t => Rope(HeadNorm(k[t].AsSpan(kvHead * hd, hd).ToArray(), p + "k_norm.weight"), P + t)).ToArray();
            var vs = Enumerable.Range(0, T).Select(t => v[t].AsSpan(kvHead * hd, hd).ToArray()).ToArray();
            if (prefix is { } stored) (ks, vs) = ([.. stored.Keys[kvHead], .. ks], [.. stored.Values[kvHead], .. vs]);
            int past = ks.Length - T;
            for (int t = 0; t < T; t++)
            {
                int seen = past + t;   // index of this token among the keys
                int first = c.SlidingWindow is { } win ? Math.Max(0, seen - win + 1) : 0;
                var scores = new double[seen + 1];
                for (int s = 0; s <= seen; s++)
                    scores[s] = s < first ? double.NegativeInfinity : Dot(qs[t], ks[s]) / Math.Sqrt(hd);
                double max = scores.Max(), sum = scores.Sum(z => Math.Exp(z - max));
                for (int s = 0; s <= seen; s++)
                {
                    double a = Math.Exp(scores[s] - max) / sum;
                    for (int d = 0; d < hd; d++) output[t][head * hd + d] += a * vs[s][d];
                }
            }
        }
        return output.Select(o => Linear(p + "o_proj", o)).ToArray();
    }

    double[] Mlp(double[] x, string p)
    {
        var gate = Linear(p + "gate_proj", x);
        var up = Linear(p + "up_proj", x);
        return Linear(p + "down_proj", gate.Select((g, i) => g / (1 + Math.Exp(-g)) * up[i]).ToArray());
    }

    double[] Rope(double[] x, int position)
    {
        int half = x.Length / 2;
        var inv = InverseFrequencies();
        var y = new double[x.Length];
        for (int i = 0; i < half; i++)
        {
            double angle = position * inv[i], cos = Math.Cos(angle), sin = Math.Sin(angle);
            y[i] = x[i] * cos - x[i + half] * sin;
            y[i + half] = x[i + half] * cos + x[i] * sin;
        }
        return y;
    }

    /// <summary>θ^(−2i/d), with Llama 3.1's piecewise scaling written out from the published formula.</summary>
    double[] InverseFrequencies()
    {
        int d = c.HeadDim;
        return Enumerable.Range(0, d / 2).Select(i =>
        {
            double f = Math.Pow(c.RopeTheta, -2.0 * i / d);
            if (c.RopeScaling is not Llama3RopeScaling s) return f;
            double wavelen = 2 * Math.PI / f;
            double lowWavelen = s.OriginalMaxPositionEmbeddings / s.LowFreqFactor, highWavelen = s.OriginalMaxPositionEmbeddings / s.HighFreqFactor;
            if (wavelen < highWavelen) return f;
            if (wavelen > lowWavelen) return f / s.Factor;
            double smooth = (s.OriginalMaxPositionEmbeddings / wavelen - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor);
            return (1 - smooth) * f / s.Factor + smooth * f;
        }).ToArray();
    }

    double[] HeadNorm(double[] x, string key) => w.ContainsKey(key) ? RmsNorm(x, key) : x;

    double[] RmsNorm(double[] x, string key)
    {
        double rms = Math.Sqrt(x.Sum(v => v * v) / x.Length + c.RmsNormEps);
        var g = w[key].Data;
        return x.Select((v, i) => g[i] * v / rms).ToArray();
    }

    double[] Linear(string prefix, double[] x)
    {
        var y = MatVec(prefix + ".weight", x);
        if (w.TryGetValue(prefix + ".bias", out var b)) for (int i = 0; i < y.Length; i++) y[i] += b.Data[i];
        return y;
    }

    double[] MatVec(string key, double[] x)
    {
        var (data, shape) = w[key];
        var y = new double[shape[0]];
        for (int o = 0; o < y.Length; o++) y[o] = Dot(data.AsSpan(o * x.Length, x.Length), x);
        return y;
    }

    static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    static double[] Add(double[] a, double[] b) => a.Select((v, i) => v + b[i]).ToArray();
}
