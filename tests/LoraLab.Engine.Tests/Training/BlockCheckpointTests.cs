using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Tests.Models;
using LoraLab.Engine.Training;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Tests.Training;

[Collection(SerialCollection.Name)]
public class BlockCheckpointTests
{
    [Theory]
    [InlineData("llama-gqa-tied", false)]
    [InlineData("qwen2-qkv-bias", true)]
    [InlineData("mistral-sliding-window", true)]
    public void Checkpointed_blocks_give_the_same_loss_and_gradients(string family, bool padded)
    {
        using var lm = TinyModels.Create(TinyModels.Named(family));
        var method = new LoraMethod(new LoraConfig { R = 4, TargetModules = [LoraConfig.AllLinear], LoraDropout = 0.2, UseDora = padded }, seed: 3);
        method.Attach(lm);
        AdapterNoise.RandomiseB(method);
        lm.train();
        var ids = randint(0, lm.Config.VocabSize, [2, 9], generator: new Generator(5));
        var keyIsReal = padded ? tensor(new long[] { 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 }, [2, 9]) : null;

        var (plainLoss, plainGrads) = LossAndGradients(lm, method, ids, keyIsReal, checkpointing: false);
        var (checkpointedLoss, checkpointedGrads) = LossAndGradients(lm, method, ids, keyIsReal, checkpointing: true);

        Assert.Equal(plainLoss, checkpointedLoss, 5);
        Assert.Equal(plainGrads.Count, checkpointedGrads.Count);
        foreach (var (name, g) in plainGrads)
            Assert.True(g.allclose(checkpointedGrads[name], rtol: 1e-5, atol: 1e-6), $"{name} differs");
    }

    static (double Loss, Dictionary<string, Tensor> Grads) LossAndGradients(CausalLM lm, IPeftMethod method, Tensor ids, Tensor? keyIsReal, bool checkpointing)
    {
        random.manual_seed(11);
        lm.model.BlockRunner = checkpointing ? BlockCheckpoint.Run : null;
        var logits = method.Forward(lm, ids, keyIsReal);
        var loss = CausalLmLoss.Sum(logits, ids) / CausalLmLoss.PredictedTokens(ids);
        loss.backward();
        lm.model.BlockRunner = null;
        var grads = method.TrainableParameters().ToDictionary(p => p.Name, p => p.Parameter.grad!.clone());
        foreach (var (_, p) in method.TrainableParameters()) p.grad = null;
        return (loss.item<float>(), grads);
    }
}
