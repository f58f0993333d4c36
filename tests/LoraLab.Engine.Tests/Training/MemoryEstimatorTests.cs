using System.Runtime.InteropServices;
using LoraLab.Engine.Generation;
using LoraLab.Engine.Models;
using LoraLab.Engine.Training;

namespace LoraLab.Engine.Tests.Training;

[Collection(SerialCollection.Name)]
public class MemoryEstimatorTests
{
    static readonly ModelConfig Small = GenerationBenchmarkOptions.SmolLM2_135M with
    {
        NumHiddenLayers = 4, HiddenSize = 256, IntermediateSize = 688, VocabSize = 8192, NumAttentionHeads = 4, NumKeyValueHeadsOverride = 2,
    };

    [Fact]
    public void The_breakdown_counts_weights_adapter_gradients_and_moments_by_their_dtypes()
    {
        var input = new MemoryEstimateInput(Small, "lora", TrainableParameters: 1000, BaseWeightBits: 16, ComputePrecision.Bf16,
            BatchSize: 2, SequenceLength: 8, GradientCheckpointing: false);

        var estimate = MemoryEstimator.Estimate(input);

        Assert.Equal(Small.ParameterCount() * 2, estimate.Weights);
        Assert.Equal((4000L, 4000L, 8000L), (estimate.Adapter, estimate.Gradients, estimate.OptimizerState));
        // Per token: 4 blocks × (2·256·4 + (2·256 + 2·256 + 2·128 + 4·6 + 4·688)·2), the attention term being eager
        // attention's (bf16; causal probabilities 4·4 + 4·8 per 8 queries and head), + the logits and their gradient, 2 · 8192 · 2.
        Assert.Equal(16 * (4 * (2048 + 8112) + 2 * 8192 * 2), estimate.Activations);
        Assert.Equal(estimate.Weights + 16000 + estimate.Activations + estimate.AllocatorSlack + MemoryEstimator.RuntimeBytes, estimate.Total);
    }

    [Fact]
    public void Checkpointing_keeps_one_hidden_state_per_block_and_dora_keeps_more_than_lora()
    {
        var lora = new MemoryEstimateInput(Small, "lora", 1000, 32, ComputePrecision.Float32, 4, 256, GradientCheckpointing: false);

        var plain = MemoryEstimator.Estimate(lora).Activations;
        var checkpointed = MemoryEstimator.Estimate(lora with { GradientCheckpointing = true }).Activations;
        var dora = MemoryEstimator.Estimate(lora with { MethodKind = "dora" }).Activations;

        Assert.Equal(1024L * (4 * 256 * 4 + 2 * 8192 * 4), checkpointed);   // the loss outweighs one recomputed block here
        Assert.True(dora > plain && plain > checkpointed);
    }

    [Fact]
    public void Bf16_blocks_keep_attention_probabilities_up_to_the_eager_limit_and_fused_attention_tensors_beyond()
    {
        var input = new MemoryEstimateInput(Small, "lora", 1000, 16, ComputePrecision.Bf16, BatchSize: 1, SequenceLength: 512, GradientCheckpointing: false);

        double eagerPerToken = MemoryEstimator.Estimate(input).Activations / 512.0;
        double fusedPerToken = MemoryEstimator.Estimate(input with { SequenceLength = 1024 }).Activations / 1024.0;

        // 4 blocks × ((2·256 + 2·128 + 4·384) − 5·256) × 2 bytes: scaled queries, keys, values, output copy and
        // (256·256 + 256·512) / 512 = 384 causal probabilities per query and head in place of the fused kernel's five
        // head-wide tensors.
        Assert.Equal(4 * (2304 - 1280) * 2, eagerPerToken - fusedPerToken);
    }

    [Fact]
    public void The_estimate_is_within_a_quarter_of_the_measured_peak_of_a_small_lora_run()
    {
        ReleaseFreeHeap();
        var result = TrainingBenchmark.Run(new TrainingBenchmarkOptions { Model = Small, BatchSize = 4, SequenceLength = 256, Steps = 2 });

        // The runtime differs between a test host and the CLI; the process's own is put in place of the constant.
        var e = result.Estimate;
        long runtime = result.ResidentAfterLoadBytes - e.Weights - e.Adapter;
        double estimated = e.Total - e.Runtime + runtime;
        double ratio = estimated / result.PeakResidentBytes;
        Assert.True(ratio is > 0.75 and < 1.25, $"estimate {estimated / 1048576:F0} MB, measured peak {result.PeakResidentBytes / 1048576.0:F0} MB");
    }

    /// <summary>Earlier tests leave freed memory in this process's heap, which a new peak would reuse unseen.</summary>
    static void ReleaseFreeHeap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        if (OperatingSystem.IsLinux()) malloc_trim(0);
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    static extern int malloc_trim(nuint pad);
}

public class RunMemoryEstimateTests
{
    [Fact]
    public void Qlora_counts_quantized_blocks_at_about_half_a_byte_and_embeddings_in_the_compute_dtype()
    {
        var model = LoraLab.Engine.Generation.GenerationBenchmarkOptions.SmolLM2_135M;
        var training = new TrainingOptions();
        var qlora = MemoryEstimator.Estimate(model, new LoraLab.Engine.Peft.MethodOptions { Method = "qlora" }, training, 256);
        var lora = MemoryEstimator.Estimate(model, new LoraLab.Engine.Peft.MethodOptions { Method = "lora" }, training, 256);

        long embeddings = (long)model.VocabSize * model.HiddenSize;          // tied: also the head
        long blocks = model.ParameterCount() - embeddings - (2L * model.NumHiddenLayers + 1) * model.HiddenSize;
        double expected = embeddings * 4.0 + blocks * 0.5161 + (model.ParameterCount() - embeddings - blocks) * 4.0;
        Assert.Equal(expected, qlora.Weights, expected * 0.001);
        Assert.Equal(model.ParameterCount() * 4L, lora.Weights);
        Assert.Equal(lora.Adapter, qlora.Adapter);
    }
}
