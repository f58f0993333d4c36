using LoraLab.Engine.Devices;
using LoraLab.Engine.Models;

namespace LoraLab.Engine.Peft.Lora;

/// <summary>
/// Folds an adapter into the base weights, model-wide: for faster inference (a merged layer skips the adapter), or,
/// unloaded, to write a normal Hugging Face checkpoint of the adapted model, as PEFT's <c>merge_and_unload</c>.
/// </summary>
public static class LoraMerge
{
    /// <summary>The tokenizer and generation files of a model folder that a merged copy needs beside its weights.</summary>
    public static readonly IReadOnlyList<string> TokenizerFiles =
    [
        "tokenizer.json", "tokenizer.model", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json",
        "vocab.json", "merges.txt", "generation_config.json",
    ];

    /// <summary>
    /// Merges adapter <paramref name="adapterName"/> into every layer that holds it and selects it, so layers it does not
    /// target run the base alone. Merging the merged adapter again changes nothing.
    /// </summary>
    public static void Merge(CausalLM lm, string adapterName)
    {
        var layers = LoraInjection.LoraLayers(lm).Values.Where(l => l.adapters.ContainsKey(adapterName)).ToList();
        if (layers.Count == 0) throw new ArgumentException($"The model has no adapter named '{adapterName}'.");
        LoraInjection.SetActive(lm, adapterName);   // refuses while another adapter is merged
        foreach (var layer in layers) layer.Merge(adapterName);
    }

    /// <summary>Restores every base weight an adapter was merged into; the adapter stays selected and is applied unmerged.</summary>
    public static void Unmerge(CausalLM lm)
    {
        foreach (var layer in LoraInjection.LoraLayers(lm).Values) layer.Unmerge();
    }

    /// <summary>
    /// Merges adapter <paramref name="adapterName"/> and puts the plain base layers back in place of every LoRA layer
    /// (other adapters are dropped), so that <see cref="PretrainedModel.Save"/> writes a checkpoint transformers loads.
    /// </summary>
    public static void MergeAndUnload(CausalLM lm, string adapterName)
    {
        Merge(lm, adapterName);
        foreach (var (_, parent, child, layer) in LoraInjection.LinearLayers(lm).ToList())
            if (layer is LoraLinear lora) parent.ReplaceChild(child, lora.base_layer);
    }

    /// <summary>
    /// Loads the base model in <paramref name="baseDirectory"/> and the PEFT adapter in <paramref name="adapterDirectory"/>,
    /// merges them and writes the result to <paramref name="outputDirectory"/> (config.json, sharded safetensors in the
    /// device's compute dtype) with the base folder's tokenizer and generation files. <paramref name="progress"/> hears
    /// each stage as it starts.
    /// </summary>
    public static void ExportMerged(string baseDirectory, string adapterDirectory, string outputDirectory, ComputeDevice device, IProgress<string>? progress = null)
    {
        if (Path.GetFullPath(baseDirectory).TrimEnd(Path.DirectorySeparatorChar) == Path.GetFullPath(outputDirectory).TrimEnd(Path.DirectorySeparatorChar))
            throw new ArgumentException($"The merged model would overwrite its base in {baseDirectory}; choose another output folder.");
        progress?.Report("Loading the base model");
        using var lm = PretrainedModel.Load(baseDirectory, device);
        const string name = "merged";
        progress?.Report("Loading the adapter and merging it");
        PeftLoraFiles.Load(lm, adapterDirectory, name);
        MergeAndUnload(lm, name);
        progress?.Report("Writing the merged weights");
        PretrainedModel.Save(lm, outputDirectory);
        foreach (string file in TokenizerFiles)
        {
            string source = Path.Combine(baseDirectory, file);
            if (File.Exists(source)) File.Copy(source, Path.Combine(outputDirectory, file), overwrite: true);
        }
    }
}
