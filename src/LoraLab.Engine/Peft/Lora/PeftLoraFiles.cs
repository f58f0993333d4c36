using System.Text.Json;
using LoraLab.Engine.Checkpoints;
using LoraLab.Engine.Models;
using static TorchSharp.torch;

namespace LoraLab.Engine.Peft.Lora;

/// <summary>
/// LoRA/DoRA adapters in Hugging Face PEFT's layout: <c>adapter_config.json</c> and <c>adapter_model.safetensors</c> with keys
/// <c>base_model.model.{module}.lora_A.weight</c>, <c>.lora_B.weight</c> and, for DoRA, <c>.lora_magnitude_vector</c>.
/// </summary>
public static class PeftLoraFiles
{
    const string Prefix = AdapterFolder.KeyPrefix;

    /// <summary>
    /// Loads the adapter in <paramref name="adapterDirectory"/> onto <paramref name="lm"/> as <paramref name="adapterName"/> beside any
    /// adapters already there, and activates it (layers it does not target then run the base alone).
    /// Every key and shape is checked before the model is touched; a mismatch names the first mismatching tensor.
    /// </summary>
    public static LoraConfig Load(CausalLM lm, string adapterDirectory, string adapterName = "default")
    {
        var config = LoraConfig.Load(adapterDirectory);
        List<(string Key, long[] Shape)> expected;
        try
        {
            expected = ExpectedTensors(lm, config);
        }
        catch (PeftConfigException e)
        {
            // The config read well but does not fit this model (no module matches, a pattern fails): say which file.
            throw new PeftConfigException($"{Path.Combine(adapterDirectory, AdapterFolder.ConfigFile)}: {e.Message}");
        }
        using var file = AdapterFolder.OpenWeights(adapterDirectory);
        AdapterFolder.Verify(file, expected.Select(e => (StoredKey(file, e.Key), e.Shape)).ToList());

        if (config.IsPissa && LoraInjection.LoraLayers(lm).Count > 0)
            throw new InvalidOperationException($"{adapterDirectory} is a PiSSA adapter, which replaces the base weights by its residual; load it on a model without other adapters, or convert it to a plain LoRA first (PissaConversion).");
        var adapters = LoraInjection.Inject(lm, config, adapterName);
        if (config.IsPissa) RebuildPissaResidual(lm, config, adapterName);
        LoraInjection.SetActive(lm, adapterName);
        using var noGrad = no_grad();
        foreach (var (path, adapter) in adapters)
            foreach (var (target, key) in AdapterTensors(adapter, path))
            {
                using var scope = NewDisposeScope();
                target.copy_(file.Load(StoredKey(file, key), target.device, target.dtype));
            }
        return config;
    }

    /// <summary>
    /// A PiSSA adapter was trained on the residual of the original weights; as PEFT does when loading one, the
    /// initialisation is rerun to turn the base into that residual before the trained factors replace the initial ones.
    /// The residual W − U_r S_r V_rᵀ does not depend on the signs the SVD picks; a pissa_niter_K residual is as random
    /// as its sketch (seed 0 here, as <see cref="LoraMethod"/>'s default), so exact reloads need "pissa" or a conversion.
    /// </summary>
    static void RebuildPissaResidual(CausalLM lm, LoraConfig config, string adapterName)
    {
        var generator = new Generator(0, lm.Device);
        foreach (var layer in LoraInjection.LoraLayers(lm).Values)
            if (layer.adapters.ContainsKey(adapterName))
                PissaInitialization.Initialize(layer, adapterName, config.InitLoraWeights, generator);
    }

    /// <summary>Writes adapter <paramref name="adapterName"/> of every LoRA layer, in float32, with its config.</summary>
    public static void Save(CausalLM lm, string adapterName, LoraConfig config, string adapterDirectory)
    {
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var (path, _, _, layer) in LoraInjection.LinearLayers(lm))
            if (layer is LoraLinear lora && lora.adapters.TryGetValue(adapterName, out var adapter))
                tensors.AddRange(AdapterTensors(adapter!, path).Select(t => KeyValuePair.Create(t.Key, (Tensor)t.Tensor)));
        if (tensors.Count == 0) throw new ArgumentException($"The model has no adapter named '{adapterName}'.");
        Write(adapterDirectory, tensors, config);
    }

    /// <summary>adapter_model.safetensors with <paramref name="tensors"/> under PEFT keys, and adapter_config.json.</summary>
    internal static void Write(string adapterDirectory, IEnumerable<KeyValuePair<string, Tensor>> tensors, LoraConfig config) =>
        AdapterFolder.Write(adapterDirectory, config.ToJson(), tensors);

    internal static string KeyA(string path) => $"{Prefix}{path}.lora_A.weight";
    internal static string KeyB(string path) => $"{Prefix}{path}.lora_B.weight";

    internal static IEnumerable<(Tensor Tensor, string Key)> AdapterTensors(LoraAdapter adapter, string path)
    {
        yield return (adapter.lora_A, KeyA(path));
        yield return (adapter.lora_B, KeyB(path));
        // PEFT drops the ".weight" of the DoRA magnitude on disk to keep its original format.
        if (adapter.lora_magnitude_vector is { } m) yield return (m, $"{Prefix}{path}.lora_magnitude_vector");
    }

    /// <summary>Key → shape, in model order, of what an adapter with <paramref name="config"/> must hold for this model.</summary>
    static List<(string Key, long[] Shape)> ExpectedTensors(CausalLM lm, LoraConfig config)
    {
        var layers = LoraInjection.LinearLayers(lm).ToDictionary(l => l.Path, l => (ILinearWeights)(l.Layer as LoraLinear)?.Base! ?? (ILinearWeights)l.Layer);
        var expected = new List<(string, long[])>();
        foreach (string path in LoraInjection.TargetPaths(lm, config))
        {
            var layer = layers[path];
            int r = config.RankFor(path);
            expected.Add((KeyA(path), [r, layer.InFeatures]));
            expected.Add((KeyB(path), [layer.OutFeatures, r]));
            if (config.UseDora) expected.Add(($"{Prefix}{path}.lora_magnitude_vector", [layer.OutFeatures]));
        }
        return expected;
    }

    /// <summary>The key as <paramref name="file"/> stores it: PEFT drops the DoRA magnitude's ".weight", files written by tools that keep it load too.</summary>
    static string StoredKey(SafetensorsFile file, string key) =>
        !file.Tensors.ContainsKey(key) && file.Tensors.ContainsKey(key + ".weight") ? key + ".weight" : key;
}

public sealed class AdapterMismatchException(string message) : Exception(message);
