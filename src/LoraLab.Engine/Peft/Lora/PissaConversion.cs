using LoraLab.Engine.Checkpoints;
using LoraLab.Engine.Models;
using static TorchSharp.torch;

namespace LoraLab.Engine.Peft.Lora;

/// <summary>
/// A trained PiSSA adapter (A', B') applies to the residual base W − s·B₀A₀, not to the original W. Its update relative to
/// W is s·(B'A' − B₀A₀), which is itself a LoRA of rank 2r: A = [A'; A₀], B = [B', −B₀]. Written that way, as PEFT's
/// <c>save_pretrained(path_initial_model_for_weight_conversion=…)</c> does, it loads as a plain adapter on the original
/// model (PEFT, vLLM, this engine) and can share that base with other adapters.
/// The initial factors come from the adapter saved right after PiSSA initialisation, before training
/// (<see cref="LoraMethod.Save"/> on the freshly attached method).
/// </summary>
public static class PissaConversion
{
    /// <summary>Writes adapter <paramref name="adapterName"/> of <paramref name="lm"/> as a plain LoRA relative to the original weights; returns its config.</summary>
    /// <param name="config">The PiSSA adapter's configuration.</param>
    /// <param name="initialAdapterDirectory">The same adapter saved at initialisation, in PEFT's layout.</param>
    public static LoraConfig SaveAsLora(CausalLM lm, string adapterName, LoraConfig config, string initialAdapterDirectory, string directory)
    {
        if (config.UseDora)
            throw new PeftConfigException("A PiSSA DoRA adapter cannot be converted: DoRA's normalised update is not the difference of two low-rank products.");
        if (config.UseRslora && (config.RankPattern.Count > 0 || config.AlphaPattern.Count > 0))
            throw new PeftConfigException("Converting a PiSSA adapter with use_rslora and rank_pattern or alpha_pattern is not supported (as in PEFT): the doubled alphas would not keep every scaling.");

        string initialPath = Path.Combine(initialAdapterDirectory, AdapterFolder.WeightsFile);
        if (!File.Exists(initialPath)) throw new FileNotFoundException($"{initialPath} does not exist: save the PiSSA adapter right after initialisation to convert it later.", initialPath);
        using var initial = SafetensorsFile.Open(initialPath);
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var (path, layer) in LoraInjection.LoraLayers(lm))
        {
            if (!layer.adapters.TryGetValue(adapterName, out var adapter)) continue;
            using var scope = NewDisposeScope();
            var a0 = Initial(initial, PeftLoraFiles.KeyA(path), adapter!.lora_A, initialPath);   // (r, in)
            var b0 = Initial(initial, PeftLoraFiles.KeyB(path), adapter.lora_B, initialPath);    // (out, r)
            var a = cat([adapter.lora_A.detach(), a0], 0);                                        // (2r, in)
            var b = cat([adapter.lora_B.detach(), -b0], 1);                                       // (out, 2r)
            tensors.Add(KeyValuePair.Create(PeftLoraFiles.KeyA(path), a.MoveToOuterDisposeScope()));
            tensors.Add(KeyValuePair.Create(PeftLoraFiles.KeyB(path), b.MoveToOuterDisposeScope()));
        }
        if (tensors.Count == 0) throw new ArgumentException($"The model has no adapter named '{adapterName}'.");

        // Doubling r and alpha together keeps alpha/r (with rsLoRA alpha·√2 keeps alpha/√r), as PEFT's conversion.
        var converted = config with
        {
            InitLoraWeights = "default",
            R = 2 * config.R,
            LoraAlpha = config.UseRslora ? config.LoraAlpha * Math.Sqrt(2) : 2 * config.LoraAlpha,
            RankPattern = config.RankPattern.ToDictionary(kv => kv.Key, kv => 2 * kv.Value),
            AlphaPattern = config.AlphaPattern.ToDictionary(kv => kv.Key, kv => 2 * kv.Value),
        };
        try
        {
            PeftLoraFiles.Write(directory, tensors, converted);
        }
        finally
        {
            foreach (var t in tensors) t.Value.Dispose();
        }
        return converted;
    }

    /// <summary>The initial value of <paramref name="trained"/>'s factor, checked against its shape.</summary>
    static Tensor Initial(SafetensorsFile file, string key, Tensor trained, string source)
    {
        if (!file.Tensors.TryGetValue(key, out var entry))
            throw new AdapterMismatchException($"The initial PiSSA adapter {source} has no {key}; was it saved from this adapter's initialisation?");
        if (!entry.Shape.SequenceEqual(trained.shape))
            throw new AdapterMismatchException($"The initial PiSSA adapter {source} holds {key} with shape {WeightLoading.Shape(entry.Shape)}, but the trained adapter has {WeightLoading.Shape(trained.shape)}.");
        return file.Load(key, trained.device, ScalarType.Float32);
    }
}
