using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LoraLab.Engine.Models;

/// <summary>
/// y = x Wᵀ + b with W of shape (out, in), as torch.nn.Linear. Its storage is allocated uninitialised: a checkpoint or
/// <see cref="ModelInitializer"/> fills it, so loading a large model never pays for a random initialisation.
/// </summary>
public sealed class LinearLayer : nn.Module<Tensor, Tensor>, ILinearWeights
{
    public Parameter weight;
    public Parameter? bias;

    public LinearLayer(long inFeatures, long outFeatures, bool hasBias, Device device, ScalarType dtype) : base("Linear")
    {
        weight = new Parameter(empty([outFeatures, inFeatures], dtype, device));
        bias = hasBias ? new Parameter(zeros([outFeatures], dtype, device)) : null;
        RegisterComponents();
    }

    public long InFeatures => weight.shape[1];
    public long OutFeatures => weight.shape[0];

    public Tensor DenseWeight() => weight;
    public Tensor? Bias => bias;

    public override Tensor forward(Tensor x) => FewRowLinear.Linear(x, weight, bias);
}
