namespace LoraLab.Engine.Models;

/// <summary>One parameter of a model, by its Hugging Face name, with its shape.</summary>
public sealed record ParameterShape(string Name, long[] Shape)
{
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>One linear layer by its dotted module path (model.layers.0.self_attn.q_proj), as (in → out) features.</summary>
public sealed record LinearShape(string Path, long InFeatures, long OutFeatures, bool HasBias)
{
    /// <summary>The module name the path ends in (q_proj), which target_modules lists.</summary>
    public string Name => Path[(Path.LastIndexOf('.') + 1)..];
}

/// <summary>
/// The parameters and linear layers a model of a config has, in model order, without building it: what a page needs
/// to offer target modules and count trainable parameters before any tensor exists.
/// </summary>
public static class ParameterLayout
{
    public static IReadOnlyList<LinearShape> Linears(ModelConfig c)
    {
        long d = c.HiddenSize, q = (long)c.NumAttentionHeads * c.HeadDim, kv = (long)c.NumKeyValueHeads * c.HeadDim, i = c.IntermediateSize;
        var linears = new List<LinearShape>();
        for (int layer = 0; layer < c.NumHiddenLayers; layer++)
        {
            string attention = $"model.layers.{layer}.self_attn", mlp = $"model.layers.{layer}.mlp";
            linears.Add(new($"{attention}.q_proj", d, q, c.QkvBias));
            linears.Add(new($"{attention}.k_proj", d, kv, c.QkvBias));
            linears.Add(new($"{attention}.v_proj", d, kv, c.QkvBias));
            linears.Add(new($"{attention}.o_proj", q, d, c.OutputBias));
            linears.Add(new($"{mlp}.gate_proj", d, i, c.MlpBias));
            linears.Add(new($"{mlp}.up_proj", d, i, c.MlpBias));
            linears.Add(new($"{mlp}.down_proj", i, d, c.MlpBias));
        }
        // A tied head is the embedding matrix itself, not a layer of its own.
        if (!c.TieWordEmbeddings) linears.Add(new("lm_head", d, c.VocabSize, false));
        return linears;
    }

    /// <summary>The distinct module names of the linear layers (q_proj, …, down_proj, and lm_head when untied), in model order.</summary>
    public static IReadOnlyList<string> LinearNames(ModelConfig c) => Linears(c).Select(l => l.Name).Distinct().ToList();

    /// <summary>Every parameter in the order of the model's named_parameters().</summary>
    public static IReadOnlyList<ParameterShape> Parameters(ModelConfig c)
    {
        long d = c.HiddenSize;
        var parameters = new List<ParameterShape> { new("model.embed_tokens.weight", [c.VocabSize, d]) };
        var linears = Linears(c);
        for (int layer = 0; layer < c.NumHiddenLayers; layer++)
        {
            string prefix = $"model.layers.{layer}.";
            parameters.Add(new($"{prefix}input_layernorm.weight", [d]));
            parameters.Add(new($"{prefix}post_attention_layernorm.weight", [d]));
            foreach (var linear in linears.Where(l => l.Path.StartsWith(prefix + "self_attn.", StringComparison.Ordinal)))
                AddLinear(parameters, linear);
            if (c.QkNorm)
            {
                parameters.Add(new($"{prefix}self_attn.q_norm.weight", [c.HeadDim]));
                parameters.Add(new($"{prefix}self_attn.k_norm.weight", [c.HeadDim]));
            }
            foreach (var linear in linears.Where(l => l.Path.StartsWith(prefix + "mlp.", StringComparison.Ordinal)))
                AddLinear(parameters, linear);
        }
        parameters.Add(new("model.norm.weight", [d]));
        if (linears.FirstOrDefault(l => l.Path == "lm_head") is { } head) AddLinear(parameters, head);
        return parameters;
    }

    static void AddLinear(List<ParameterShape> parameters, LinearShape linear)
    {
        parameters.Add(new($"{linear.Path}.weight", [linear.OutFeatures, linear.InFeatures]));
        if (linear.HasBias) parameters.Add(new($"{linear.Path}.bias", [linear.OutFeatures]));
    }
}
