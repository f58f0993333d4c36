using TorchSharp;
using static TorchSharp.torch;

namespace LoraLab.Engine.Models;

/// <summary>A decoder-only language model in Hugging Face layout (<c>model.*</c>, <c>lm_head</c>).</summary>
public sealed class CausalLM : SwappableModule
{
    public DecoderModel model;
    public LinearLayer? lm_head;   // null when tied to the input embeddings

    public CausalLM(ModelConfig config, Device device, ScalarType dtype) : base("CausalLM")
    {
        Config = config;
        Device = device;
        DType = dtype;
        model = new DecoderModel(config, device, dtype);
        lm_head = config.TieWordEmbeddings ? null : new LinearLayer(config.HiddenSize, config.VocabSize, false, device, dtype);
        RegisterComponents();
    }

    public ModelConfig Config { get; }
    public Device Device { get; }
    public ScalarType DType { get; }

    /// <summary>Logits (B, T, V) for token ids (B, T), or (B, 1, V) for the last position only.</summary>
    /// <param name="attentionMask">(B or 1, 1, T, past + T) boolean that further restricts attention, e.g. the block-diagonal mask of packed sequences.</param>
    public Tensor Forward(Tensor inputIds, Tensor? positions = null, Tensor? keyIsReal = null, KvCache? cache = null, bool lastPositionOnly = false, Tensor? attentionMask = null)
    {
        using var scope = NewDisposeScope();
        var embeddings = model.embed_tokens.call(inputIds);   // (B, T, D)
        return ForwardEmbeddings(embeddings, positions, keyIsReal, cache, lastPositionOnly, attentionMask).MoveToOuterDisposeScope();
    }

    /// <summary>As <see cref="Forward"/> from (B, T, D) embeddings, for methods that prepend virtual tokens.</summary>
    public Tensor ForwardEmbeddings(Tensor embeddings, Tensor? positions = null, Tensor? keyIsReal = null, KvCache? cache = null, bool lastPositionOnly = false, Tensor? attentionMask = null)
    {
        using var scope = NewDisposeScope();
        var h = model.Forward(embeddings, positions, keyIsReal, cache, attentionMask);   // (B, T, D)
        if (lastPositionOnly) h = h.narrow(1, h.shape[1] - 1, 1);                       // (B, 1, D)
        var table = model.embed_tokens.weight;   // (V, D): the tied head's weight
        var logits = lm_head is not null ? lm_head.call(h) : FewRowLinear.Linear(h, table);
        return logits.MoveToOuterDisposeScope();
    }

    public long ParameterCount() => parameters().Sum(p => p.numel());
}
