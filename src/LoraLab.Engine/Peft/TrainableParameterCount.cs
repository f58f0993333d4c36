using LoraLab.Engine.Models;

namespace LoraLab.Engine.Peft;

/// <summary>
/// How many parameters a method will train on a model, from the config and the options alone: what the new-run page
/// shows and the memory estimate needs before any weight is loaded. Equals <see cref="PeftMethod.Count"/> after Attach.
/// </summary>
public static class TrainableParameterCount
{
    /// <exception cref="PeftConfigException">The options are invalid for this model (the same message Attach would give).</exception>
    public static long Of(ModelConfig model, MethodOptions options)
    {
        options.Validate();
        return options.Method switch
        {
            "lora" or "dora" or "qlora" => Lora(model, options),
            "prompt" => (long)options.NumVirtualTokens * model.HiddenSize,
            "prefix" => Prefix(model, options),
            "ia3" => Ia3(model),
            "adapter" => Bottleneck(model, options),
            "full" => model.ParameterCount(),
            _ => Selective(model, options),
        };
    }

    static long Lora(ModelConfig model, MethodOptions options)
    {
        var config = new LoraConfig
        {
            R = options.R, LoraAlpha = options.LoraAlpha, LoraDropout = options.LoraDropout, TargetModules = options.TargetModules,
            UseRslora = options.UseRslora, UseDora = options.Method == "dora", InitLoraWeights = options.InitLoraWeights,
        };
        config.Validate();
        var targets = ParameterLayout.Linears(model).Where(l => config.Targets(l.Path)).ToList();
        if (targets.Count == 0) throw NoTarget(model, options.TargetModules);
        // A (r, in) and B (out, r); DoRA adds the magnitude m (out).
        return targets.Sum(l => options.R * (l.InFeatures + l.OutFeatures) + (config.UseDora ? l.OutFeatures : 0));
    }

    static long Prefix(ModelConfig model, MethodOptions options)
    {
        var config = new PrefixTuningConfig
        {
            NumVirtualTokens = options.NumVirtualTokens, PrefixProjection = options.PrefixProjection, EncoderHiddenSize = options.EncoderHiddenSize,
        }.ResolvedFor(model);
        config.Validate();
        long tokens = config.NumVirtualTokens, width = config.TableWidth;
        if (!config.PrefixProjection) return tokens * width;
        long tokenDim = config.TokenDim!.Value, hidden = config.EncoderHiddenSize!.Value;
        // The embedding (P, token_dim), then Linear(token_dim → hidden) and Linear(hidden → width), both with biases.
        return tokens * tokenDim + (tokenDim * hidden + hidden) + (hidden * width + width);
    }

    static long Ia3(ModelConfig model)
    {
        var config = Ia3Config.For(model.Family);
        return ParameterLayout.Linears(model).Where(l => config.Targets(l.Path))
            .Sum(l => config.IsFeedforward(l.Path) ? l.InFeatures : l.OutFeatures);
    }

    static long Bottleneck(ModelConfig model, MethodOptions options)
    {
        var config = new BottleneckConfig { BottleneckSize = options.BottleneckSize, NonLinearity = options.NonLinearity, Placement = options.Placement };
        config.Validate();
        long b = config.BottleneckSize;
        // down (out → b) and up (b → out), with biases, on the layer's output.
        return ParameterLayout.Linears(model).Where(l => config.Targets(l.Path)).Sum(l => 2 * b * l.OutFeatures + b + l.OutFeatures);
    }

    static long Selective(ModelConfig model, MethodOptions options)
    {
        var spec = new SelectiveFineTuningSpec
        {
            LastBlocks = options.LastBlocks, Biases = options.Biases, Norms = options.Norms, Embeddings = options.Embeddings,
            LmHead = options.LmHead, Patterns = options.Patterns,
        };
        spec.Validate(model);
        long count = ParameterLayout.Parameters(model).Where(p => spec.Selects(p.Name, model)).Sum(p => p.Count);
        return count > 0 ? count : throw new PeftConfigException($"{spec.Describe()} selects no parameter of this {model.Architecture}.");
    }

    static PeftConfigException NoTarget(ModelConfig model, IReadOnlyList<string> targets) =>
        new($"target_modules [{string.Join(", ", targets)}] matches no linear layer of this model; its linear layers are: {string.Join(", ", ParameterLayout.LinearNames(model))}.");
}
