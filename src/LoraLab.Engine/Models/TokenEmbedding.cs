using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LoraLab.Engine.Models;

/// <summary>The token embedding table (vocab, hidden), looked up by id.</summary>
public sealed class TokenEmbedding : nn.Module<Tensor, Tensor>
{
    public Parameter weight;

    public TokenEmbedding(long vocabSize, long hiddenSize, Device device, ScalarType dtype) : base("Embedding")
    {
        weight = new Parameter(empty([vocabSize, hiddenSize], dtype, device));
        RegisterComponents();
    }

    public override Tensor forward(Tensor ids)
    {
        var shape = ids.shape.Append(weight.shape[1]).ToArray();   // (..., D)
        return weight.index_select(0, ids.reshape(-1)).view(shape);
    }
}
