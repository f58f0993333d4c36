using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Tests.Models;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Engine.Peft.Selective;

namespace LoraLab.Engine.Tests.Peft;

public class SelectiveFineTuningTests
{
    static readonly int[] Ids = [3, 17, 42, 5, 60, 0, 9];

    // llama-gqa-tied, by hand: embeddings 61·32 = 1952 (tied head); per block q 1024, k 512, v 512, o 1024,
    // gate/up/down 3·1536 = 4608, two norms 64, i.e. 7744 in 9 tensors; final norm 32.
    const long LlamaBlock = 7744;
    const long LlamaTotal = 1952 + 2 * LlamaBlock + 32;

    static (SelectiveFineTuning Method, CausalLM Lm) Attached(string family, SelectiveFineTuningSpec spec)
    {
        var lm = TinyModels.Create(TinyModels.Named(family));
        var method = new SelectiveFineTuning(spec);
        method.Attach(lm);
        return (method, lm);
    }

    [Fact]
    public void The_last_block_trains_exactly_that_blocks_parameters()
    {
        var (method, lm) = Attached("llama-gqa-tied", new SelectiveFineTuningSpec { LastBlocks = 1 });
        using var _ = lm;

        var names = method.TrainableParameters().Select(p => p.Name).ToList();
        Assert.Equal(9, names.Count);
        Assert.All(names, n => Assert.StartsWith("model.layers.1.", n));
        Assert.Contains("model.layers.1.post_attention_layernorm.weight", names);
        var (trainable, total, percent) = PeftMethod.Count(lm, method);
        Assert.Equal(LlamaBlock, trainable);
        Assert.Equal(LlamaTotal, total);
        Assert.Equal(100.0 * 7744 / 17472, percent, 12);
        Assert.Equal(LlamaBlock, lm.parameters().Where(p => p.requires_grad).Sum(p => p.numel()));
        Assert.Equal("selective", method.Kind);
    }

    [Fact]
    public void Biases_only_selects_the_qkv_biases_of_qwen2()
    {
        var (method, lm) = Attached("qwen2-qkv-bias", new SelectiveFineTuningSpec { Biases = true });
        using var _ = lm;

        // q 32 + k 8 + v 8 (one KV head of 8) per block.
        Assert.Equal(6, method.TrainableParameters().Count);
        Assert.Equal(2 * (32 + 8 + 8), PeftMethod.Count(lm, method).Trainable);
    }

    [Fact]
    public void Norms_only_includes_the_qwen3_head_norms_and_the_final_norm()
    {
        var (method, lm) = Attached("qwen3-qk-norm-head-dim", new SelectiveFineTuningSpec { Norms = true });
        using var _ = lm;

        // Two 32-wide block norms and two 12-wide head norms per block, then the final norm.
        Assert.Equal(9, method.TrainableParameters().Count);
        Assert.Equal(2 * (32 + 32 + 12 + 12) + 32, PeftMethod.Count(lm, method).Trainable);
    }

    [Fact]
    public void With_tied_embeddings_the_lm_head_is_the_embedding_matrix()
    {
        var (method, lm) = Attached("llama-gqa-tied", new SelectiveFineTuningSpec { LmHead = true });
        using var _ = lm;

        Assert.Equal(["model.embed_tokens.weight"], method.TrainableParameters().Select(p => p.Name));
    }

    [Fact]
    public void Patterns_and_kinds_combine_as_a_union()
    {
        var (method, lm) = Attached("llama3-rope-scaling", new SelectiveFineTuningSpec { Patterns = [@"self_attn\.q_proj"], LmHead = true });
        using var _ = lm;

        Assert.Equal(
            ["model.layers.0.self_attn.q_proj.weight", "model.layers.1.self_attn.q_proj.weight", "lm_head.weight"],
            method.TrainableParameters().Select(p => p.Name));
    }

    [Fact]
    public void Full_fine_tuning_trains_every_parameter()
    {
        var (method, lm) = Attached("llama-gqa-tied", SelectiveFineTuningSpec.Everything);
        using var _ = lm;

        Assert.Equal("full", method.Kind);
        Assert.Equal((LlamaTotal, LlamaTotal, 100.0), PeftMethod.Count(lm, method));
    }

    [Fact]
    public void A_selection_the_model_does_not_have_says_so()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));

        var e = Assert.Throws<PeftConfigException>(() => new SelectiveFineTuning(new SelectiveFineTuningSpec { Biases = true }).Attach(lm));

        Assert.Equal("Selective fine-tuning of biases selects no parameter of this LlamaForCausalLM.", e.Message);
    }

    [Theory]
    [InlineData(3, "last_blocks must be between 0 and the model's 2 blocks, got 3.")]
    [InlineData(0, "The selection is empty: choose full, last_blocks, biases, norms, embeddings, lm_head or patterns.")]
    public void An_impossible_spec_names_the_field(int lastBlocks, string message)
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));

        var e = Assert.Throws<PeftConfigException>(() => new SelectiveFineTuning(new SelectiveFineTuningSpec { LastBlocks = lastBlocks }).Attach(lm));

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Only_selected_parameters_receive_gradients_and_the_rest_stay_bit_identical_after_a_step()
    {
        var (method, lm) = Attached("qwen2-qkv-bias", new SelectiveFineTuningSpec { LastBlocks = 1, Embeddings = true });
        using var _ = lm;
        var selected = method.TrainableParameters().Select(p => p.Name).ToHashSet();
        var before = lm.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());

        var optimizer = optim.AdamW(method.TrainableParameters().Select(p => p.Parameter), lr: 0.01);
        using (var loss = method.Forward(lm, tensor(Ids, ScalarType.Int64).unsqueeze(0), null).logsumexp(-1).mean())
            loss.backward();
        foreach (var (name, p) in lm.named_parameters())
            Assert.True(selected.Contains(name) == (p.grad is not null), name);
        optimizer.step();

        foreach (var (name, p) in lm.named_parameters())
            Assert.True(selected.Contains(name) != p.equal(before[name]).all().item<bool>(), name);
    }
}
