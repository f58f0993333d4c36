using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Tests.Peft;

/// <summary>Shared arrange steps and float64 arithmetic for the adapter tests.</summary>
static class AdapterTestKit
{
    public static Tensor Logits(CausalLM lm, int[] ids)
    {
        using var _ = no_grad();
        return lm.Forward(tensor(ids.Select(i => (long)i).ToArray()).unsqueeze(0));   // (1, T, V)
    }

    /// <summary>Stands in for training: factors (and DoRA magnitudes) far from their initial values.</summary>
    public static void Randomize(IEnumerable<LoraAdapter> adapters, long seed, double std = 0.3)
    {
        using var _ = no_grad();
        var g = new Generator((ulong)seed);
        foreach (var a in adapters)
        {
            a.lora_A.normal_(0, std, g);
            a.lora_B.normal_(0, std, g);
            a.lora_magnitude_vector?.uniform_(0.5, 2.0, g);
        }
    }

    public static double MaxAbsDifference(Tensor x, Tensor y) => (x.to(ScalarType.Float64) - y.to(ScalarType.Float64)).abs().max().item<double>();

    public static double[,] Float64(Tensor matrix)
    {
        long rows = matrix.shape[0], cols = matrix.shape[1];
        var data = matrix.detach().to(ScalarType.Float64).contiguous().data<double>().ToArray();
        var result = new double[rows, cols];
        for (long i = 0; i < rows; i++)
            for (long j = 0; j < cols; j++) result[i, j] = data[i * cols + j];
        return result;
    }

    public static double[,] MatMul(double[,] x, double[,] y)
    {
        int n = x.GetLength(0), k = x.GetLength(1), m = y.GetLength(1);
        var result = new double[n, m];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
            {
                double sum = 0;
                for (int l = 0; l < k; l++) sum += x[i, l] * y[l, j];
                result[i, j] = sum;
            }
        return result;
    }

    /// <summary>s·B·A of an adapter, in float64 from its float32 factors.</summary>
    public static double[,] Delta(LoraAdapter adapter) => Scale(MatMul(Float64(adapter.lora_B), Float64(adapter.lora_A)), adapter.Scaling);

    public static double[,] Scale(double[,] x, double factor)
    {
        var result = (double[,])x.Clone();
        for (int i = 0; i < x.GetLength(0); i++)
            for (int j = 0; j < x.GetLength(1); j++) result[i, j] *= factor;
        return result;
    }

    public static double[,] Add(double[,] x, double[,] y)
    {
        var result = (double[,])x.Clone();
        for (int i = 0; i < x.GetLength(0); i++)
            for (int j = 0; j < x.GetLength(1); j++) result[i, j] += y[i, j];
        return result;
    }

    public static double MaxAbsDifference(double[,] x, double[,] y)
    {
        double max = 0;
        for (int i = 0; i < x.GetLength(0); i++)
            for (int j = 0; j < x.GetLength(1); j++) max = Math.Max(max, Math.Abs(x[i, j] - y[i, j]));
        return max;
    }

    public static double MaxAbs(double[,] x) => x.Cast<double>().Max(Math.Abs);

    public static LinearLayer BaseOf(CausalLM lm, string path) => (LinearLayer)LoraInjection.LoraLayers(lm)[path].base_layer;
}
