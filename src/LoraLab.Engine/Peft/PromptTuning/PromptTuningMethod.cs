using LoraLab.Engine.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Peft.PromptTuning;

/// <summary>
/// Prompt tuning as an <see cref="IPeftMethod"/>: P trainable embeddings (P, D) in front of every input's token
/// embeddings, as PEFT's <c>PeftModelForCausalLM.forward</c> does. The virtual tokens take positions 0…P−1 and the
/// real tokens P…P+T−1 (PEFT passes no position ids, so transformers numbers the concatenated sequence from 0).
/// </summary>
/// <param name="initTokenIds">
/// For prompt_tuning_init = TEXT: the ids of prompt_tuning_init_text as PEFT's <c>tokenizer(init_text)["input_ids"]</c>
/// gives them, special tokens included (<c>ITextTokenizer.Encode(text)</c>). Unused for RANDOM.
/// </param>
/// <param name="seed">Seeds the RANDOM initialisation.</param>
public sealed class PromptTuningMethod(PromptTuningConfig config, IReadOnlyList<int>? initTokenIds = null, long seed = 0, string adapterName = "default") : IPeftMethod
{
    Parameter? embedding;   // (P, D) float32, as PEFT keeps prompt embeddings whatever the base dtype
    ScalarType computeType;

    /// <summary>The configuration, with the model-shaped fields filled in once attached.</summary>
    public PromptTuningConfig Config { get; private set; } = config;
    public string Kind => "prompt";
    public int VirtualTokens => Config.NumVirtualTokens;

    public void Attach(CausalLM lm)
    {
        ThrowIfAttached();
        Config.Validate();
        Config = Config.ResolvedFor(lm.Config);
        using var initial = Config.PromptTuningInit == PromptTuningConfig.Text ? TextInitialisation(lm) : RandomInitialisation(lm.Device);
        Attach(lm, initial);
    }

    public IReadOnlyList<(string Name, Parameter Parameter)> TrainableParameters() =>
        [($"prompt_encoder.{adapterName}.embedding.weight", Embedding)];

    public Tensor Forward(CausalLM lm, Tensor inputIds, Tensor? keyIsReal)
    {
        using var scope = NewDisposeScope();
        long B = inputIds.shape[0], T = inputIds.shape[1], P = VirtualTokens;
        var tokens = lm.model.embed_tokens.call(inputIds);                          // (B, T, D)
        var embeddings = cat([VirtualTokenEmbeddings(B), tokens], 1);               // (B, P+T, D)
        var keys = keyIsReal is null ? null : cat([ones(B, P, keyIsReal.dtype, keyIsReal.device), keyIsReal], 1);   // (B, P+T)
        var logits = lm.ForwardEmbeddings(embeddings, keyIsReal: keys);             // (B, P+T, V)
        return logits.narrow(1, P, T).MoveToOuterDisposeScope();                    // (B, T, V)
    }

    /// <summary>
    /// The (B, P, D) virtual token embeddings in the model's dtype, to prepend to the embeddings of a prompt when
    /// generating: prefill with <c>lm.ForwardEmbeddings</c> over both (any key mask gets P ones in front), then decode
    /// as usual; the cache then holds the P virtual tokens too.
    /// </summary>
    public Tensor VirtualTokenEmbeddings(long batch)
    {
        using var scope = NewDisposeScope();
        return Embedding.to(computeType).unsqueeze(0).expand(batch, -1, -1).MoveToOuterDisposeScope();   // (B, P, D)
    }

    /// <summary>Packed rows hold several examples, but the virtual tokens would be prepended to the row only once.</summary>
    public Tensor ForwardPacked(CausalLM lm, Tensor inputIds, Tensor positions, Tensor attentionMask) =>
        throw new NotSupportedException("Packing cannot be combined with prompt tuning: turn packing off for this run.");

    public void Save(CausalLM lm, string directory) => SoftPromptFiles.Write(directory, Config.ToJson(), Embedding);

    /// <summary>Loads a PEFT prompt-tuning adapter onto <paramref name="lm"/>; the base is frozen, the prompt stays trainable.</summary>
    public static PromptTuningMethod Load(CausalLM lm, string adapterDirectory)
    {
        var config = SoftPromptFiles.ReadConfig(adapterDirectory, PromptTuningConfig.FromJson);
        using var table = SoftPromptFiles.ReadEmbeddings(adapterDirectory, [config.NumVirtualTokens, lm.Config.HiddenSize], "num_virtual_tokens × hidden_size");
        var method = new PromptTuningMethod(SoftPromptFiles.Fit(adapterDirectory, () => config.ResolvedFor(lm.Config)));
        method.Attach(lm, table);
        return method;
    }

    Parameter Embedding => embedding ?? throw new InvalidOperationException("Attach the prompt-tuning method to a model first.");

    /// <param name="initial">(P, D) starting values.</param>
    void Attach(CausalLM lm, Tensor initial)
    {
        PeftMethod.FreezeBase(lm);
        computeType = lm.DType;
        embedding = new Parameter(zeros([Config.NumVirtualTokens, Config.TokenDim!.Value], ScalarType.Float32, lm.Device));
        using (no_grad()) embedding.copy_(initial);
    }

    /// <summary>torch.nn.Embedding's default: every entry drawn from N(0, 1).</summary>
    Tensor RandomInitialisation(Device device) =>
        randn([Config.NumVirtualTokens, Config.TokenDim!.Value], device: device, generator: new Generator((ulong)seed, device));

    /// <summary>
    /// The embeddings of the init text's tokens, truncated to P or repeated until there are P of them (PEFT's
    /// <c>PromptEmbedding</c>: <c>ids * ceil(P / n)</c>, then the first P).
    /// </summary>
    Tensor TextInitialisation(CausalLM lm)
    {
        if (initTokenIds is not { Count: > 0 })
            throw new PeftConfigException($"prompt_tuning_init = TEXT needs the token ids of prompt_tuning_init_text '{Config.PromptTuningInitText}'; none were given.");
        var outside = initTokenIds.Where(id => id < 0 || id >= lm.Config.VocabSize).ToList();
        if (outside.Count > 0)
            throw new PeftConfigException($"prompt_tuning_init_text token ids {string.Join(", ", outside)} are outside the vocabulary (size {lm.Config.VocabSize}).");
        int P = Config.NumVirtualTokens;
        var ids = Enumerable.Range(0, P).Select(i => (long)initTokenIds[i % initTokenIds.Count]).ToArray();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return lm.model.embed_tokens.weight.index_select(0, tensor(ids, device: lm.Device)).to(ScalarType.Float32).MoveToOuterDisposeScope();   // (P, D)
    }

    void ThrowIfAttached()
    {
        if (embedding is not null) throw new InvalidOperationException("This prompt-tuning method is already attached to a model.");
    }
}
