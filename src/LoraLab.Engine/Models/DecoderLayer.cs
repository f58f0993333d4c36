using static TorchSharp.torch;

namespace LoraLab.Engine.Models;

/// <summary>Pre-norm transformer block: x + attn(norm(x)), then + mlp(norm(·)).</summary>
public sealed class DecoderLayer : SwappableModule
{
    public RmsNorm input_layernorm, post_attention_layernorm;
    public Attention self_attn;
    public Mlp mlp;

    public DecoderLayer(ModelConfig c, int index, Device device, ScalarType dtype) : base("DecoderLayer")
    {
        input_layernorm = new RmsNorm(c.HiddenSize, c.RmsNormEps, device, dtype);
        self_attn = new Attention(c, index, device, dtype);
        post_attention_layernorm = new RmsNorm(c.HiddenSize, c.RmsNormEps, device, dtype);
        mlp = new Mlp(c, device, dtype);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, AttentionContext ctx)
    {
        if (FusedDecodeLayer.Applies(this, x, ctx)) return FusedDecodeLayer.Forward(this, x, ctx);
        using var scope = NewDisposeScope();
        var h = x + self_attn.Forward(input_layernorm.call(x), ctx);
        return (h + mlp.Forward(post_attention_layernorm.call(h))).MoveToOuterDisposeScope();
    }
}
