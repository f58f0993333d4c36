using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LoraLab.Engine.Models;

/// <summary>
/// The element-wise pieces of <see cref="FusedDecodeLayer"/> on contiguous float32 buffers, each computing what its
/// libtorch counterpart in <see cref="RmsNormFunction"/>, <see cref="RotaryFunction"/>, <see cref="Attention"/> and
/// <see cref="Mlp"/> computes, in the same order of operations except for the order of summation.
/// </summary>
internal static unsafe class FusedDecodeKernels
{
    /// <summary>y = x · r · w per row of n, r = 1/√(mean(x²) + ε); the sum of squares in float64, as accurate as libtorch's float32 cascade or more.</summary>
    public static void RmsNorm(float* x, float* weight, float* y, int rows, long n, double eps)
    {
        for (int r = 0; r < rows; r++)
        {
            float* xr = x + r * n, yr = y + r * n;
            double squares = 0;
            for (long i = 0; i < n; i++) squares += (double)xr[i] * xr[i];
            float inverse = (float)(1 / Math.Sqrt((float)(squares / n) + eps));
            for (long i = 0; i < n; i++) yr[i] = xr[i] * inverse * weight[i];
        }
    }

    /// <summary>
    /// x·cos + rotate_half(x)·sin in place for x (rows, heads, hD), rotate_half(x) = [−x₂, x₁]; cos and sin (rows or 1, hD)
    /// with <paramref name="rowStride"/> hD, or 0 when one row serves all.
    /// </summary>
    public static void Rotate(float* x, float* cos, float* sin, int rows, int heads, int hD, long rowStride)
    {
        int half = hD / 2;
        for (int r = 0; r < rows; r++)
        {
            float* c = cos + r * rowStride, s = sin + r * rowStride;
            for (int h = 0; h < heads; h++)
            {
                float* v = x + ((long)r * heads + h) * hD;
                for (int i = 0; i < half; i++)
                {
                    float first = v[i], second = v[i + half];
                    v[i] = -second * s[i] + first * c[i];
                    v[i + half] = first * s[i + half] + second * c[i + half];
                }
            }
        }
    }

    /// <summary>Writes x (rows, nKV, hD) at column <paramref name="column"/> of the cache buffer (rows, nKV, capacity, hD).</summary>
    public static void WriteCacheColumn(float* x, float* buffer, int rows, int kvHeads, int hD, long capacity, long column)
    {
        for (long head = 0; head < (long)rows * kvHeads; head++)
            Buffer.MemoryCopy(x + head * hD, buffer + (head * capacity + column) * hD, hD * sizeof(float), hD * sizeof(float));
    }

    /// <summary>y = a + b over n floats (y may be a).</summary>
    public static void Add(float* a, float* b, float* y, long n)
    {
        long i = 0;
        for (; i + 8 <= n; i += 8) Avx.Store(y + i, Avx.Add(Avx.LoadVector256(a + i), Avx.LoadVector256(b + i)));
        for (; i < n; i++) y[i] = a[i] + b[i];
    }

    /// <summary>gate = silu(gate) · up = gate / (1 + e^(−gate)) · up, in place.</summary>
    public static void SiluTimes(float* gate, float* up, long n)
    {
        long i = 0;
        for (; i + 8 <= n; i += 8)
        {
            var g = Avx.LoadVector256(gate + i);
            Avx.Store(gate + i, g / (Vector256<float>.One + Exp(-g)) * Avx.LoadVector256(up + i));
        }
        for (; i < n; i++) gate[i] = gate[i] / (1 + MathF.Exp(-gate[i])) * up[i];
    }

    /// <summary>
    /// e^x on 8 lanes, as Cephes' expf (Moshier): x = n·ln 2 + r with ln 2 split in two (Cody and Waite), e^r = 1 + r +
    /// r²·P(r) of degree 5 on |r| ≤ ln 2 / 2 (relative error about 1e-7), times 2^n built in the exponent bits. x is
    /// clamped to [−87.3, 88.3], where 2^n stays a normal float; below −87.3 the result is 0 (as e^−∞ must be, for
    /// masked scores; the true value there is under 1.2e-38). .NET's Vector256.Exp for floats was slower than the scalar
    /// MathF.Exp loop on the Zen 4 VM (47 µs against 30 for the 6144 gate values of a 4-row SmolLM2-135M layer).
    /// </summary>
    internal static Vector256<float> Exp(Vector256<float> x)
    {
        var underflow = Avx.CompareLessThan(x, Vector256.Create(-87.3f));
        x = Avx.Min(Avx.Max(x, Vector256.Create(-87.3f)), Vector256.Create(88.3f));
        var n = Avx.RoundToNearestInteger(x * Vector256.Create(1.44269504088896341f));   // round(x / ln 2)
        var r = Fma.MultiplyAddNegated(n, Vector256.Create(0.693359375f), x);               // x − n·C1, exact
        r = Fma.MultiplyAddNegated(n, Vector256.Create(-2.12194440e-4f), r);                // − n·C2
        var p = Vector256.Create(1.9875691500e-4f);
        p = Fma.MultiplyAdd(p, r, Vector256.Create(1.3981999507e-3f));
        p = Fma.MultiplyAdd(p, r, Vector256.Create(8.3334519073e-3f));
        p = Fma.MultiplyAdd(p, r, Vector256.Create(4.1665795894e-2f));
        p = Fma.MultiplyAdd(p, r, Vector256.Create(1.6666665459e-1f));
        p = Fma.MultiplyAdd(p, r, Vector256.Create(5.0000001201e-1f));
        var er = Fma.MultiplyAdd(p, r * r, r + Vector256<float>.One);                      // e^r
        var twoToN = Avx2.ShiftLeftLogical(Avx.ConvertToVector256Int32(n) + Vector256.Create(127), 23).AsSingle();
        return Avx.AndNot(underflow, er * twoToN);
    }

    /// <summary>
    /// softmax(q·kᵀ/√hD + mask)·v for one query token per row over the Tk cached keys, one chunk per (row, KV head):
    /// that head's query heads (a group) read its keys and values in place, as <see cref="Attention"/>'s decode path.
    /// </summary>
    /// <param name="q">(B, nH, hD)</param>
    /// <param name="keys">(B, nKV, capacity, hD), the first Tk columns filled.</param>
    /// <param name="values">(B, nKV, capacity, hD)</param>
    /// <param name="mask">(B, Tk) booleans (1: may attend), or null: every key.</param>
    /// <param name="y">(B, nH, hD)</param>
    /// <param name="scores">(B, nH, Tk) scratch.</param>
    public readonly struct AttentionJob(float* q, float* keys, float* values, byte* mask, float* y, float* scores, int heads, int kvHeads, int hD, long capacity, long Tk)
    {
        public void Run(int chunk)
        {
            int b = chunk / kvHeads, g = chunk % kvHeads, groups = heads / kvHeads;
            float scale = 1 / MathF.Sqrt(hD);
            float* K = keys + ((long)b * kvHeads + g) * capacity * hD;
            float* V = values + ((long)b * kvHeads + g) * capacity * hD;
            byte* allowed = mask is null ? null : mask + b * Tk;
            for (int member = 0; member < groups; member++)
            {
                long head = (long)b * heads + g * groups + member;
                float* qh = q + head * hD, s = scores + head * Tk, yh = y + head * hD;
                for (long j = 0; j < Tk; j++)
                    s[j] = allowed is null || allowed[j] != 0 ? FewRowLinear.Dot(K + j * hD, qh, hD) * scale : float.NegativeInfinity;
                float inverse = 1 / Softmax(s, Tk);
                new Span<float>(yh, hD).Clear();
                for (long j = 0; j < Tk; j++)
                    if (s[j] != 0) Axpy(s[j], V + j * hD, yh, hD);
                for (int d = 0; d < hD; d++) yh[d] *= inverse;
            }
        }

        /// <summary>s = e^(s − max s) in place, masked keys (−∞) giving 0; returns the sum.</summary>
        static float Softmax(float* s, long n)
        {
            float max = float.NegativeInfinity;
            for (long j = 0; j < n; j++) max = Math.Max(max, s[j]);
            var maxV = Vector256.Create(max);
            var sums = Vector256<float>.Zero;
            long k = 0;
            for (; k + 8 <= n; k += 8)
            {
                var e = Exp(Avx.LoadVector256(s + k) - maxV);
                Avx.Store(s + k, e);
                sums += e;
            }
            float sum = Vector256.Sum(sums);
            for (; k < n; k++)
            {
                s[k] = float.IsNegativeInfinity(s[k]) ? 0 : MathF.Exp(s[k] - max);
                sum += s[k];
            }
            return sum;
        }
    }

    /// <summary>y += a·x over n floats.</summary>
    static void Axpy(float a, float* x, float* y, int n)
    {
        var av = Vector256.Create(a);
        int i = 0;
        for (; i + 8 <= n; i += 8) Avx.Store(y + i, Fma.MultiplyAdd(av, Avx.LoadVector256(x + i), Avx.LoadVector256(y + i)));
        for (; i < n; i++) y[i] += a * x[i];
    }
}
