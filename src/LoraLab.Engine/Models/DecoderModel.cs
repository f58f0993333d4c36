using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LoraLab.Engine.Models;

/// <summary>The decoder stack (<c>model.*</c> in Hugging Face checkpoints): embeddings, layers, final norm.</summary>
public sealed class DecoderModel : SwappableModule
{
    public TokenEmbedding embed_tokens;
    public ModuleList<DecoderLayer> layers;
    public RmsNorm norm;
    readonly ModelConfig config;
    // The rotary frequencies are a non-persistent buffer, as in transformers: they follow the module to its device but are
    // no checkpoint key. No Tensor field holds them, since RegisterComponents() would register such a field as persistent.
    const string InverseFrequenciesBuffer = "rotary_inv_freq";

    public DecoderModel(ModelConfig c, Device device, ScalarType dtype) : base("Model")
    {
        config = c;
        embed_tokens = new TokenEmbedding(c.VocabSize, c.HiddenSize, device, dtype);
        layers = new ModuleList<DecoderLayer>(Enumerable.Range(0, c.NumHiddenLayers).Select(i => new DecoderLayer(c, i, device, dtype)).ToArray());
        norm = new RmsNorm(c.HiddenSize, c.RmsNormEps, device, dtype);
        RegisterComponents();
        var inverseFrequencies = tensor(RotaryEmbedding.InverseFrequencies(c.HeadDim, c.RopeTheta, c.RopeScaling), ScalarType.Float32, device);   // (hD/2)
        register_buffer(InverseFrequenciesBuffer, inverseFrequencies, persistent: false);
    }

    /// <summary>
    /// The buffer, or for dynamic NTK scaling past the original context the frequencies of this forward's length
    /// (max position + 1), recomputed per forward as transformers' <c>dynamic_rope_update</c> does.
    /// </summary>
    Tensor InverseFrequencies(Tensor positions)
    {
        var buffer = get_buffer(InverseFrequenciesBuffer)!;
        if (config.RopeScaling is not DynamicRopeScaling) return buffer;
        long length = positions.max().to(ScalarType.Int64).item<long>() + 1;
        if (!RotaryEmbedding.NeedsRecompute(config.RopeScaling, length)) return buffer;
        return tensor(RotaryEmbedding.InverseFrequencies(config.HeadDim, config.RopeTheta, config.RopeScaling, length),
            ScalarType.Float32, buffer.device);                                                                // (hD/2)
    }

    /// <summary>
    /// Runs one block of the layer loop in place of <see cref="DecoderLayer.Forward"/>, or null to run blocks directly.
    /// The trainer sets it for gradient checkpointing, which recomputes each block in the backward pass.
    /// </summary>
    public Func<DecoderLayer, Tensor, AttentionContext, Tensor>? BlockRunner { get; set; }

    /// <param name="embeddings">(B, T, D) token embeddings (possibly with virtual tokens prepended).</param>
    /// <param name="positions">(B, T) absolute positions, or null for past … past + T − 1 in every row.</param>
    /// <param name="keyIsReal">(B, past + T) 1 for real tokens and 0 for padding, or null when nothing is padded.</param>
    /// <param name="attentionMask">(B or 1, 1, T, past + T) boolean, true where a query may attend a key, or null; it restricts
    /// the causal, padding and window mask further (packed sequences pass their block-diagonal mask here).</param>
    /// <returns>(B, T, D) final hidden states.</returns>
    public Tensor Forward(Tensor embeddings, Tensor? positions, Tensor? keyIsReal, KvCache? cache, Tensor? attentionMask = null)
    {
        using var scope = NewDisposeScope();
        long B = embeddings.shape[0], T = embeddings.shape[1];
        long past = cache?.Length ?? 0;
        positions ??= arange(past, past + T, device: embeddings.device).unsqueeze(0).expand(B, T);   // (B, T)
        var (cos, sin) = RotaryEmbedding.CosSin(positions, InverseFrequencies(positions), embeddings.dtype,
            RotaryEmbedding.AttentionScaling(config.RopeScaling));                                             // (B, 1, T, hD)
        var mask = AttentionMask.Build(B, T, past, keyIsReal, config.SlidingWindow, embeddings.device, attentionMask);
        var ctx = new AttentionContext(cos, sin, mask, cache);

        var h = embeddings;
        foreach (var layer in layers) h = BlockRunner is { } run ? run(layer, h, ctx) : layer.Forward(h, ctx);
        cache?.Advance(T);
        return norm.call(h).MoveToOuterDisposeScope();
    }
}
