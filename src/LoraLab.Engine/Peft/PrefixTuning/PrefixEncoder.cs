using LoraLab.Engine.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LoraLab.Engine.Peft.PrefixTuning;

/// <summary>
/// PEFT's <c>PrefixEncoder</c>: the prefix table (P, L·2·token_dim), one row per virtual token holding the keys and
/// values of every layer. Either the table is the trained parameter itself, or (prefix_projection, Li and Liang's
/// reparameterisation for stable training) it is computed from an embedding (P, token_dim) by Linear → tanh → Linear.
/// Field names are PEFT's, so parameter names read <c>embedding.weight</c>, <c>transform.0.weight</c>, ….
/// </summary>
internal sealed class PrefixEncoder : nn.Module
{
    public TokenEmbedding embedding;
    public Sequential? transform;

    /// <param name="projection">Build the MLP; false for a loaded adapter, whose file holds the final table.</param>
    public PrefixEncoder(PrefixTuningConfig config, bool projection, Device device) : base("PrefixEncoder")
    {
        long P = config.NumVirtualTokens, tokenDim = config.TokenDim!.Value, width = config.TableWidth;
        if (projection)
        {
            long hidden = config.EncoderHiddenSize!.Value;
            embedding = new TokenEmbedding(P, tokenDim, device, ScalarType.Float32);
            transform = nn.Sequential(
                ("0", new LinearLayer(tokenDim, hidden, true, device, ScalarType.Float32)),
                ("1", nn.Tanh()),
                ("2", new LinearLayer(hidden, width, true, device, ScalarType.Float32)));
        }
        else embedding = new TokenEmbedding(P, width, device, ScalarType.Float32);
        RegisterComponents();
    }

    /// <summary>The prefix table (P, L·2·token_dim) in float32; differentiable in the encoder's parameters.</summary>
    public Tensor Table() => transform is null ? embedding.weight.alias() : transform.call(embedding.weight);

    /// <summary>
    /// PyTorch's defaults, which PEFT keeps: the embedding from N(0, 1) (torch.nn.Embedding), each Linear's weight and
    /// bias from U(−1/√in, 1/√in) (torch.nn.Linear's kaiming_uniform with a = √5).
    /// </summary>
    public void Initialize(Generator generator)
    {
        using var _ = no_grad();
        embedding.weight.normal_(0, 1, generator);
        if (transform is null) return;
        foreach (var linear in transform.children().OfType<LinearLayer>())
        {
            double bound = 1 / Math.Sqrt(linear.InFeatures);
            linear.weight.uniform_(-bound, bound, generator);
            linear.bias!.uniform_(-bound, bound, generator);
        }
    }
}
