using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LoraLab.Engine.Training;

/// <param name="Loss">Mean cross-entropy over the step's predicted tokens (NaN when none was labelled).</param>
/// <param name="GradNorm">Total gradient norm before clipping (NaN when fp16 gradients overflowed).</param>
/// <param name="PredictedTokens">Labelled tokens the loss averaged over.</param>
/// <param name="InputTokens">Real (unpadded) input tokens processed, for throughput.</param>
/// <param name="Skipped">The weights were not updated: fp16 gradients overflowed, or no token was labelled.</param>
public sealed record StepOutcome(double Loss, double GradNorm, long PredictedTokens, long InputTokens, bool Skipped);

/// <summary>
/// One optimizer step: forward and backward over a group of micro-batches, then unscale (fp16), clip, update, and
/// drop the gradients.
/// </summary>
/// <remarks>
/// Accumulation is weighted by tokens: each micro-batch's summed loss is divided by the predicted tokens of the whole
/// step, so the accumulated gradient is exactly that of the mean loss over every token of the step, however the tokens
/// fall between micro-batches (transformers does the same with num_items_in_batch). Averaging per micro-batch instead
/// would weight a short micro-batch's tokens more than a long one's.
/// </remarks>
public sealed class TrainingStep
{
    readonly CausalLM lm;
    readonly IPeftMethod method;
    readonly AdamWOptimizer optimizer;
    readonly IReadOnlyList<Parameter> parameters;
    readonly double? maxGradNorm;

    public TrainingStep(CausalLM lm, IPeftMethod method, AdamWOptimizer optimizer, TrainingOptions options, LossScaler? scaler = null)
    {
        CheckPrecision(lm, options);
        if (options.Precision == ComputePrecision.Fp16 && scaler is null)
            throw new ArgumentException("fp16 training needs a LossScaler.", nameof(scaler));
        this.lm = lm;
        this.method = method;
        this.optimizer = optimizer;
        parameters = method.TrainableParameters().Select(p => p.Parameter).ToList();
        maxGradNorm = options.MaxGradNorm;
        Scaler = scaler;
    }

    public LossScaler? Scaler { get; }

    /// <summary>The base model computes in the dtype it was loaded in, so that dtype must be the compute precision's.</summary>
    public static void CheckPrecision(CausalLM lm, TrainingOptions options)
    {
        var expected = options.Precision.DType();
        if (lm.DType != expected)
            throw new TrainingConfigException($"compute_precision is {options.Precision.ToString().ToLowerInvariant()}, so the base model must be loaded in {expected}, but it is {lm.DType}.");
    }

    public StepOutcome Run(IReadOnlyList<TrainingBatch> microBatches, double learningRate)
    {
        using var scope = NewDisposeScope();
        var (lossSum, predicted) = Accumulate(microBatches);
        long input = microBatches.Sum(InputTokens);
        if (predicted == 0)
        {
            optimizer.ZeroGrad();
            return new StepOutcome(double.NaN, 0, 0, input, Skipped: true);
        }

        var gradients = parameters.Select(p => p.grad).OfType<Tensor>().ToList();
        bool overflow = Scaler?.Unscale(gradients) ?? false;
        double norm = overflow ? double.NaN : GradientClipping.ClipTotalNorm(gradients, maxGradNorm);
        if (!overflow) optimizer.Step(learningRate);
        Scaler?.Update(overflow);
        optimizer.ZeroGrad();
        return new StepOutcome(lossSum / predicted, norm, predicted, input, overflow);
    }

    /// <summary>
    /// Back-propagates every micro-batch's summed loss divided by the step's predicted tokens (times the loss scale in
    /// fp16), accumulating into the parameters' gradients. Returns the summed loss and the predicted tokens.
    /// </summary>
    public (double LossSum, long PredictedTokens) Accumulate(IReadOnlyList<TrainingBatch> microBatches)
    {
        long predicted = microBatches.Sum(b => CausalLmLoss.PredictedTokens(b.Labels));
        if (predicted == 0) return (0, 0);
        double lossSum = 0;
        foreach (var batch in microBatches)
        {
            using var scope = NewDisposeScope();
            Tensor sum;
            using (var forward = NewDisposeScope())
            {
                // The logits (B, T, V) are the largest activation; this scope frees them before the backward pass.
                var logits = batch.Logits(method, lm);
                sum = CausalLmLoss.Sum(logits, batch.Labels).MoveToOuterDisposeScope();
            }
            var loss = sum * ((Scaler?.Scale ?? 1.0) / predicted);
            loss.backward();
            lossSum += sum.item<float>();
        }
        return (lossSum, predicted);
    }

    static long InputTokens(TrainingBatch batch)
    {
        if (batch.KeyIsReal is null) return batch.InputIds.numel();
        using var scope = NewDisposeScope();
        return batch.KeyIsReal.sum().item<long>();
    }
}
