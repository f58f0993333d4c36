using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TorchSharp;
using static TorchSharp.torch;

namespace LoraLab.Engine.Models;

/// <summary>
/// y = x Wᵀ + b for the few rows of a decode step, W of shape (out, in) as <see cref="LinearLayer"/> stores it, with
/// W's rows split over <see cref="ProductThreads"/>. Such a product is bound by reading W once from memory, yet the
/// oneMKL that libtorch's CPU build links runs it on one thread (and on AMD CPUs reports its generic "Intel(R)
/// Architecture processors" path): sweeping the SmolLM2-135M weights once took 54 ms at one row and 190 ms at four on
/// the 2-core AMD EPYC VM, against 21 and 28 ms with this class's first kernel. Each output is a dot product of a row of W with a row of x in
/// float32, 8 lanes wide with fused multiply-adds, as llama.cpp's ggml_vec_dot_f32; two or four rows of x share each read of W.
/// Only for inference: the result has no autograd history, so it is used only when no input needs a gradient.
/// </summary>
internal static unsafe partial class FewRowLinear
{
    /// <summary>The rows of a decode step or a small serving batch; beyond, libtorch's blocked products reuse each part of W over many rows.</summary>
    public const long MaxRows = 8;

    /// <summary>Weights per chunk of work (256 KB): a few microseconds of reading, far more than handing a chunk over, and small enough for a core's L2 cache to keep for the passes after the first.</summary>
    const long ChunkElements = 1 << 16;

    /// <summary>
    /// The most inputs for which a pass takes four rows of x at once (16 KB of x, half a 32 KB L1 data cache): sweeping
    /// SmolLM2-135M's layers at four rows took 15.5 ms against 17.5 with two passes of two on the Zen 4 VM, while at
    /// 1536 inputs (the down projections) four rows lost to two passes of two.
    /// </summary>
    const long FourRowInputs = 1024;

    /// <summary>Rows of W per chunk are a multiple of this, so chunks write whole cache lines of y (16 floats).</summary>
    const long RowAlignment = 16;

    public static readonly bool Supported = Avx2.IsSupported && Fma.IsSupported;

    /// <summary>Whether <see cref="Forward"/> takes this product: float32 CPU tensors, a few rows, and no gradient wanted (under no_grad, or no input needs one).</summary>
    public static bool Applies(Tensor x, Tensor weight, Tensor? bias) =>
        Supported && x.device_type == DeviceType.CPU && weight.device_type == DeviceType.CPU
        && x.dtype == ScalarType.Float32 && weight.dtype == ScalarType.Float32 && (bias is null || bias.dtype == ScalarType.Float32)
        && weight.dim() == 2 && weight.is_contiguous() && x.shape[^1] == weight.shape[1] && x.numel() > 0 && x.numel() <= MaxRows * weight.shape[1]
        && (!is_grad_enabled() || !(x.requires_grad || weight.requires_grad || (bias?.requires_grad ?? false)));

    /// <summary>x Wᵀ + b: here when <see cref="Applies"/>, else libtorch's <c>linear</c>.</summary>
    /// <param name="x">(…, in)</param>
    /// <param name="weight">(out, in)</param>
    /// <returns>(…, out)</returns>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null) =>
        Applies(x, weight, bias) ? Forward(x, weight, bias) : nn.functional.linear(x, weight, bias);

    /// <param name="x">(…, in) with at most <see cref="MaxRows"/> rows.</param>
    /// <param name="weight">(out, in) contiguous.</param>
    /// <param name="bias">(out) or null.</param>
    /// <returns>(…, out)</returns>
    public static Tensor Forward(Tensor x, Tensor weight, Tensor? bias)
    {
        long inF = weight.shape[1], outF = weight.shape[0];
        var rows = x.reshape(-1, inF).contiguous();                                   // (M, in)
        int M = (int)rows.shape[0];
        var shape = x.shape.ToArray();
        shape[^1] = outF;
        var y = empty(shape, ScalarType.Float32, x.device);                          // (…, out), M·out contiguous floats
        var b = bias?.contiguous();
        Run([new Product((float*)Address(rows), (float*)Address(weight), b is null ? null : (float*)Address(b), (float*)Address(y), M, inF, outF)]);
        GC.KeepAlive(rows);
        GC.KeepAlive(b);
        return y;
    }

    /// <summary>
    /// Several products handed to the helper threads at once (q, k and v of one normalised input, or gate and up), so
    /// a decode step pays one hand-over per group instead of one per product.
    /// </summary>
    public static void Run(ReadOnlySpan<Product> group)
    {
        var products = group.ToArray();
        var pieces = new (long Length, long Step)[products.Length];
        for (int p = 0; p < products.Length; p++) pieces[p] = (products[p].OutFeatures, ChunkRows(products[p].InFeatures));
        ProductThreads.Run(pieces, get_num_threads(), (p, from, to) => products[p].Run(from, to));
    }

    /// <summary>
    /// Rows of W per chunk: about <see cref="ChunkElements"/> weights (small enough that a late helper holds up little),
    /// a whole number of cache lines of y.
    /// </summary>
    static long ChunkRows(long inF) => Math.Max(RowAlignment, (ChunkElements / inF + RowAlignment - 1) / RowAlignment * RowAlignment);

    /// <summary>
    /// The pointers of one product y (rows, out) = x (rows, in) · Wᵀ + b, all contiguous; each part computes outputs
    /// [from, to) of every row.
    /// </summary>
    public readonly struct Product(float* x, float* w, float* bias, float* y, int rows, long inF, long outF)
    {
        public long InFeatures => inF;
        public long OutFeatures => outF;

        /// <summary>
        /// Outputs [from, to) of every row, four rows of x at a time where they fit in L1 (<see cref="FourRowInputs"/>),
        /// else two: each pass over the part's rows of W (at most <see cref="ChunkElements"/> weights) finds them in the
        /// core's L2 cache after the first, and the rows of x stay in L1 while W streams past. Four rows at once at 1536
        /// inputs (24 KB of x, with W's lines in a 32 KB L1) took 2.6× one row's time streaming the down projections on
        /// a Zen 4 core; two passes of two, 1.4×.
        /// </summary>
        public void Run(long from, long to)
        {
            int m = 0;
            if (inF <= FourRowInputs)
                for (; m + 4 <= rows; m += 4)
                    for (long o = from; o < to; o++)
                        Dot4(w + o * inF, x + m * inF, inF, y + m * outF + o, outF, bias is null ? 0f : bias[o]);
            for (; m + 2 <= rows; m += 2)
                for (long o = from; o < to; o++)
                    Dot2(w + o * inF, x + m * inF, inF, y + m * outF + o, outF, bias is null ? 0f : bias[o]);
            if (m < rows)
                for (long o = from; o < to; o++)
                    y[m * outF + o] = Dot(w + o * inF, x + m * inF, inF) + (bias is null ? 0f : bias[o]);
        }
    }

    /// <summary>
    /// Four rows of x against one row of W, read once, as <see cref="Dot2"/> with two accumulators per row: for inputs of
    /// at most <see cref="FourRowInputs"/>, where the four rows of x stay in L1 beside W's stream.
    /// </summary>
    static void Dot4(float* w, float* x, long n, float* y, long stride, float b)
    {
        var (a0, a1, a2, a3) = (Vector256<float>.Zero, Vector256<float>.Zero, Vector256<float>.Zero, Vector256<float>.Zero);
        var (c0, c1, c2, c3) = (Vector256<float>.Zero, Vector256<float>.Zero, Vector256<float>.Zero, Vector256<float>.Zero);
        float* x1 = x + n, x2 = x + 2 * n, x3 = x + 3 * n;
        long i = 0;
        for (; i + 16 <= n; i += 16)
        {
            var w0 = Avx.LoadVector256(w + i);
            var w1 = Avx.LoadVector256(w + i + 8);
            a0 = Fma.MultiplyAdd(w0, Avx.LoadVector256(x + i), a0);
            c0 = Fma.MultiplyAdd(w1, Avx.LoadVector256(x + i + 8), c0);
            a1 = Fma.MultiplyAdd(w0, Avx.LoadVector256(x1 + i), a1);
            c1 = Fma.MultiplyAdd(w1, Avx.LoadVector256(x1 + i + 8), c1);
            a2 = Fma.MultiplyAdd(w0, Avx.LoadVector256(x2 + i), a2);
            c2 = Fma.MultiplyAdd(w1, Avx.LoadVector256(x2 + i + 8), c2);
            a3 = Fma.MultiplyAdd(w0, Avx.LoadVector256(x3 + i), a3);
            c3 = Fma.MultiplyAdd(w1, Avx.LoadVector256(x3 + i + 8), c3);
        }
        for (; i + 8 <= n; i += 8)
        {
            var w0 = Avx.LoadVector256(w + i);
            a0 = Fma.MultiplyAdd(w0, Avx.LoadVector256(x + i), a0);
            a1 = Fma.MultiplyAdd(w0, Avx.LoadVector256(x1 + i), a1);
            a2 = Fma.MultiplyAdd(w0, Avx.LoadVector256(x2 + i), a2);
            a3 = Fma.MultiplyAdd(w0, Avx.LoadVector256(x3 + i), a3);
        }
        float s0 = Vector256.Sum(a0 + c0), s1 = Vector256.Sum(a1 + c1), s2 = Vector256.Sum(a2 + c2), s3 = Vector256.Sum(a3 + c3);
        for (; i < n; i++)
        {
            s0 += w[i] * x[i];
            s1 += w[i] * x1[i];
            s2 += w[i] * x2[i];
            s3 += w[i] * x3[i];
        }
        y[0] = s0 + b;
        y[stride] = s1 + b;
        y[2 * stride] = s2 + b;
        y[3 * stride] = s3 + b;
    }

    /// <summary>Σ w[i]·x[i] with two 8-lane accumulators (two fused multiply-adds in flight), then the tail.</summary>
    internal static float Dot(float* w, float* x, long n)
    {
        var a0 = Vector256<float>.Zero;
        var a1 = Vector256<float>.Zero;
        long i = 0;
        for (; i + 16 <= n; i += 16)
        {
            a0 = Fma.MultiplyAdd(Avx.LoadVector256(w + i), Avx.LoadVector256(x + i), a0);
            a1 = Fma.MultiplyAdd(Avx.LoadVector256(w + i + 8), Avx.LoadVector256(x + i + 8), a1);
        }
        for (; i + 8 <= n; i += 8) a0 = Fma.MultiplyAdd(Avx.LoadVector256(w + i), Avx.LoadVector256(x + i), a0);
        float sum = Vector256.Sum(a0 + a1);
        for (; i < n; i++) sum += w[i] * x[i];
        return sum;
    }

    /// <summary>
    /// Two rows of x against one row of W, read once: y[r·stride] = Σ w[i]·x[r·n + i] + b for r in 0, 1, with two
    /// accumulators per row so that four fused multiply-adds are in flight (one per row waits on the previous one's latency).
    /// </summary>
    static void Dot2(float* w, float* x, long n, float* y, long stride, float b)
    {
        var (a0, a1, c0, c1) = (Vector256<float>.Zero, Vector256<float>.Zero, Vector256<float>.Zero, Vector256<float>.Zero);
        float* x1 = x + n;
        long i = 0;
        for (; i + 16 <= n; i += 16)
        {
            var w0 = Avx.LoadVector256(w + i);
            var w1 = Avx.LoadVector256(w + i + 8);
            a0 = Fma.MultiplyAdd(w0, Avx.LoadVector256(x + i), a0);
            c0 = Fma.MultiplyAdd(w1, Avx.LoadVector256(x + i + 8), c0);
            a1 = Fma.MultiplyAdd(w0, Avx.LoadVector256(x1 + i), a1);
            c1 = Fma.MultiplyAdd(w1, Avx.LoadVector256(x1 + i + 8), c1);
        }
        for (; i + 8 <= n; i += 8)
        {
            var w0 = Avx.LoadVector256(w + i);
            a0 = Fma.MultiplyAdd(w0, Avx.LoadVector256(x + i), a0);
            a1 = Fma.MultiplyAdd(w0, Avx.LoadVector256(x1 + i), a1);
        }
        float s0 = Vector256.Sum(a0 + c0), s1 = Vector256.Sum(a1 + c1);
        for (; i < n; i++)
        {
            s0 += w[i] * x[i];
            s1 += w[i] * x1[i];
        }
        y[0] = s0 + b;
        y[stride] = s1 + b;
    }

    /// <summary>
    /// The first element of a contiguous CPU tensor, as TorchSharp's own <c>data&lt;T&gt;()</c> finds it, without the
    /// accessor (and its 2 GB span limit, which an embedding table of a large vocabulary passes).
    /// </summary>
    internal static nint Address(Tensor tensor) => THSTensor_data(tensor.Handle);

    [LibraryImport("LibTorchSharp")]
    private static partial nint THSTensor_data(nint handle);
}
