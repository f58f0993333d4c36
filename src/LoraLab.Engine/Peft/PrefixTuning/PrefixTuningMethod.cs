using LoraLab.Engine.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LoraLab.Engine.Peft.PrefixTuning;

/// <summary>
/// Prefix tuning as an <see cref="IPeftMethod"/>: P trained keys and values in front of every layer's attention,
/// given to the model as a KV cache that already holds P entries, as PEFT passes them to transformers as
/// <c>past_key_values</c>. So, as in transformers with a cache of length P and no position ids, the real tokens take
/// positions P…P+T−1, the prefix keys are used as stored (no rotary embedding is applied to them), and every real
/// token attends to the whole prefix (the attention mask gets P ones in front).
/// </summary>
/// <param name="seed">Seeds the initialisation of the prefix (and of the projection MLP).</param>
public sealed class PrefixTuningMethod(PrefixTuningConfig config, long seed = 0, string adapterName = "default") : IPeftMethod
{
    PrefixEncoder? encoder;
    ScalarType computeType;

    /// <summary>The configuration, with the model-shaped fields filled in once attached.</summary>
    public PrefixTuningConfig Config { get; private set; } = config;
    public string Kind => "prefix";
    public int VirtualTokens => Config.NumVirtualTokens;

    public void Attach(CausalLM lm)
    {
        ThrowIfAttached();
        Config.Validate();
        Config = Config.ResolvedFor(lm.Config);
        var fresh = new PrefixEncoder(Config, Config.PrefixProjection, lm.Device);
        fresh.Initialize(new Generator((ulong)seed, lm.Device));
        Attach(lm, fresh);
    }

    public IReadOnlyList<(string Name, Parameter Parameter)> TrainableParameters() =>
        Encoder.named_parameters().Select(p => ($"prompt_encoder.{adapterName}.{p.name}", p.parameter)).ToList();

    public Tensor Forward(CausalLM lm, Tensor inputIds, Tensor? keyIsReal)
    {
        using var scope = NewDisposeScope();
        long B = inputIds.shape[0], P = VirtualTokens;
        // Disposing the cache releases only its handles: the autograd graph keeps what backward needs.
        using var cache = CreatePrefilledCache(B);
        var keys = keyIsReal is null ? null : cat([ones(B, P, keyIsReal.dtype, keyIsReal.device), keyIsReal], 1);   // (B, P+T)
        return lm.Forward(inputIds, keyIsReal: keys, cache: cache).MoveToOuterDisposeScope();                          // (B, T, V)
    }

    /// <summary>
    /// A KV cache holding the prefix of every layer (Length = P), for a batch of <paramref name="batch"/> rows: the
    /// starting state for <see cref="Forward"/> and for generation. Whoever runs the model over it must put P ones in
    /// front of any key mask. Writing into the cache is differentiable, so gradients reach the prefix through it.
    /// </summary>
    public KvCache CreatePrefilledCache(long batch)
    {
        using var scope = NewDisposeScope();
        int L = Config.NumLayers!.Value, nKV = Config.NumAttentionHeads!.Value, hD = Config.TokenDim!.Value / nKV, P = VirtualTokens;
        // PEFT's get_prompt: view (B, P, L·2, nKV, hD), permute to (L·2, B, nKV, P, hD); row 2l is layer l's keys, 2l+1 its values.
        var table = Encoder.Table().to(computeType);                          // (P, L·2·nKV·hD)
        var kv = table.view(P, L * 2, nKV, hD).permute(1, 2, 0, 3);           // (L·2, nKV, P, hD)
        var cache = new KvCache(L);
        for (int l = 0; l < L; l++)
            cache.Append(l, kv[2 * l].unsqueeze(0).expand(batch, -1, -1, -1), kv[2 * l + 1].unsqueeze(0).expand(batch, -1, -1, -1));   // (B, nKV, P, hD)
        cache.Advance(P);
        return cache;
    }

    /// <summary>Saves what PEFT saves: the final prefix table, so a projected prefix is stored after its MLP.</summary>
    /// <summary>Packed rows hold several examples, but the virtual tokens would be prepended to the row only once.</summary>
    public Tensor ForwardPacked(CausalLM lm, Tensor inputIds, Tensor positions, Tensor attentionMask) =>
        throw new NotSupportedException("Packing cannot be combined with prefix tuning: turn packing off for this run.");

    public void Save(CausalLM lm, string directory)
    {
        using var _ = no_grad();
        using var table = Encoder.Table();
        SoftPromptFiles.Write(directory, Config.ToJson(), table);
    }

    /// <summary>
    /// Loads a PEFT prefix-tuning adapter onto <paramref name="lm"/>. The file holds the final table, so the prefix is a
    /// plain (non-projected) one whatever prefix_projection says, as PEFT loads it in inference mode.
    /// </summary>
    public static PrefixTuningMethod Load(CausalLM lm, string adapterDirectory)
    {
        var config = SoftPromptFiles.ReadConfig(adapterDirectory, PrefixTuningConfig.FromJson);
        var model = lm.Config;
        long width = (long)model.NumHiddenLayers * 2 * model.NumKeyValueHeads * model.HeadDim;
        using var table = SoftPromptFiles.ReadEmbeddings(adapterDirectory, [config.NumVirtualTokens, width],
            "num_virtual_tokens × num_hidden_layers·2·num_key_value_heads·head_dim");
        var resolved = SoftPromptFiles.Fit(adapterDirectory, () => config.ResolvedFor(model));
        var loaded = new PrefixEncoder(resolved, projection: false, lm.Device);
        using (no_grad()) loaded.embedding.weight.copy_(table);
        var method = new PrefixTuningMethod(resolved);
        method.Attach(lm, loaded);
        return method;
    }

    PrefixEncoder Encoder => encoder ?? throw new InvalidOperationException("Attach the prefix-tuning method to a model first.");

    void Attach(CausalLM lm, PrefixEncoder prefix)
    {
        PeftMethod.FreezeBase(lm);
        computeType = lm.DType;
        encoder = prefix;
    }

    void ThrowIfAttached()
    {
        if (encoder is not null) throw new InvalidOperationException("This prefix-tuning method is already attached to a model.");
    }
}
