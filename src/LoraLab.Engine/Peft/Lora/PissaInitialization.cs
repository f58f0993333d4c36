using System.Globalization;
using LoraLab.Engine.Models;
using static TorchSharp.torch;

namespace LoraLab.Engine.Peft.Lora;

/// <summary>
/// PiSSA (Meng et al. 2024): the adapter starts from the r principal singular directions of W and the frozen base keeps
/// the rest, so the model is unchanged at step 0 while training moves the most significant part of W. As PEFT's
/// <c>pissa_init</c>: with W = U S Vᵀ and S_r divided by the scaling s, A = √S_r V_rᵀ (r, in) and B = U_r √S_r (out, r),
/// so that s·B·A = U_r S_r V_rᵀ, and the base weight becomes the residual W − s·B·A.
/// </summary>
public static class PissaInitialization
{
    const string FastPrefix = "pissa_niter_";

    /// <summary>"pissa" (exact SVD) or "pissa_niter_K" (randomized SVD with K subspace iterations, as torch.svd_lowrank).</summary>
    public static bool IsValidMode(string mode) => mode == "pissa" || FastIterations(mode) is > 0;

    static int? FastIterations(string mode) =>
        mode.StartsWith(FastPrefix, StringComparison.Ordinal)
        && int.TryParse(mode.AsSpan(FastPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int k) ? k : null;

    /// <summary>
    /// Sets A and B of <paramref name="adapter"/> from the base weight of <paramref name="layer"/> and replaces that weight
    /// by the residual. The randomized mode draws its sketch from <paramref name="generator"/>.
    /// </summary>
    public static void Initialize(LoraLinear layer, string adapterName, string mode, Generator? generator = null)
    {
        if (!IsValidMode(mode)) throw new ArgumentException($"init_lora_weights '{mode}' is not a PiSSA mode (pissa or pissa_niter_K).");
        var adapter = layer.Adapter(adapterName);
        var linear = layer.base_layer as LinearLayer
            ?? throw new InvalidOperationException($"PiSSA rewrites the base weight, which needs a plain float linear layer, not {layer.base_layer.GetType().Name}; initialise PiSSA first and quantize the residual afterwards.");
        if (layer.adapters.Count > 1)
            throw new InvalidOperationException($"PiSSA replaces the base weight by a residual, which the other adapters of this layer ({string.Join(", ", layer.adapters.keys().Where(k => k != adapterName))}) were not trained on.");
        int r = adapter.Rank;
        long k = Math.Min(linear.InFeatures, linear.OutFeatures);
        if (r > k) throw new PeftConfigException($"PiSSA takes r singular vectors of a ({linear.OutFeatures}, {linear.InFeatures}) weight, so r = {r} must be at most {k}.");

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var w = linear.weight.to(ScalarType.Float32);                                           // (out, in)
        var (u, s, vh) = FastIterations(mode) is { } iterations ? RandomizedSvd(w, r, iterations, generator) : TruncatedSvd(w, r);
        var root = (s / adapter.Scaling).sqrt();                                               // (r)
        var a = root.unsqueeze(1) * vh;                                                        // (r, in)
        var b = u * root.unsqueeze(0);                                                         // (out, r)
        adapter.lora_A.copy_(a);
        adapter.lora_B.copy_(b);
        linear.weight.copy_(w - b.matmul(a) * adapter.Scaling);
        layer.ResidualOf = adapterName;
    }

    /// <summary>The r leading singular triples: U (out, r), S (r), Vᵀ (r, in).</summary>
    static (Tensor U, Tensor S, Tensor Vh) TruncatedSvd(Tensor w, int r)
    {
        var (u, s, vh) = linalg.svd(w, fullMatrices: false);
        return (u.narrow(1, 0, r), s.narrow(0, 0, r), vh.narrow(0, 0, r));
    }

    /// <summary>
    /// torch.svd_lowrank(W, q = r, niter) as PEFT calls it (Halko, Martinsson and Tropp 2011, algorithm 4.4): an orthonormal
    /// basis Q of W's range from a Gaussian sketch refined by power iterations, then the exact SVD of the small QᵀW.
    /// The tall orientation is used so that the sketch has the smaller width.
    /// </summary>
    static (Tensor U, Tensor S, Tensor Vh) RandomizedSvd(Tensor w, int r, int iterations, Generator? generator)
    {
        bool wide = w.shape[0] < w.shape[1];
        var m = wide ? w.t() : w;                                                              // (M, N), M ≥ N
        var sketch = randn([m.shape[1], r], ScalarType.Float32, m.device, generator: generator);   // (N, r)
        var q = linalg.qr(m.matmul(sketch)).Q;                                                 // (M, r)
        for (int i = 0; i < iterations; i++)
        {
            q = linalg.qr(m.t().matmul(q)).Q;                                                  // (N, r)
            q = linalg.qr(m.matmul(q)).Q;                                                      // (M, r)
        }
        var (u, s, vh) = linalg.svd(q.t().matmul(m), fullMatrices: false);                     // (r, r), (r), (r, N)
        u = q.matmul(u);                                                                       // (M, r)
        return wide ? (vh.t(), s, u.t()) : (u, s, vh);
    }
}
