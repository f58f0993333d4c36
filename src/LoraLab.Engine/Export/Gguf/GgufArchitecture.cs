using LoraLab.Engine.Models;

namespace LoraLab.Engine.Export.Gguf;

/// <summary>
/// The llama.cpp architecture of a model family and its <c>{arch}.*</c> hyper-parameters, as convert_hf_to_gguf.py
/// writes them (Llama and Mistral both become <c>llama</c>).
/// </summary>
public static class GgufArchitecture
{
    public static string Name(ModelConfig config) => config.Family switch
    {
        ModelFamily.Llama or ModelFamily.Mistral => "llama",
        ModelFamily.Qwen2 => "qwen2",
        ModelFamily.Qwen3 => "qwen3",
        _ => throw new NotSupportedException($"Architecture '{config.Architecture}' has no llama.cpp counterpart in this exporter."),
    };

    /// <summary>Only llama.cpp's <c>llama</c> architecture rotates interleaved pairs and so needs q/k rows permuted.</summary>
    public static bool PermutesQueryKey(ModelConfig config) => Name(config) == "llama";

    public static void AddGeneral(GgufMetadata metadata, ModelConfig config, string name, GgufFileType fileType) => metadata
        .String("general.architecture", Name(config))
        .String("general.name", name)
        .UInt32("general.alignment", GgufWriter.Alignment)
        .UInt32("general.file_type", (uint)fileType)
        .UInt32("general.quantization_version", 2);

    public static void AddHyperParameters(GgufMetadata metadata, ModelConfig config)
    {
        string arch = Name(config);
        metadata
            .UInt32($"{arch}.vocab_size", (uint)config.VocabSize)
            .UInt32($"{arch}.context_length", (uint)config.MaxPositionEmbeddings)
            .UInt32($"{arch}.embedding_length", (uint)config.HiddenSize)
            .UInt32($"{arch}.block_count", (uint)config.NumHiddenLayers)
            .UInt32($"{arch}.feed_forward_length", (uint)config.IntermediateSize)
            .UInt32($"{arch}.attention.head_count", (uint)config.NumAttentionHeads)
            .UInt32($"{arch}.attention.head_count_kv", (uint)config.NumKeyValueHeads)
            .Float32($"{arch}.attention.layer_norm_rms_epsilon", (float)config.RmsNormEps)
            .Float32($"{arch}.rope.freq_base", (float)config.RopeTheta)
            .UInt32($"{arch}.rope.dimension_count", (uint)config.HeadDim);
        if (config.HeadDim != config.HiddenSize / config.NumAttentionHeads || config.HiddenSize % config.NumAttentionHeads != 0)
            metadata.UInt32($"{arch}.attention.key_length", (uint)config.HeadDim).UInt32($"{arch}.attention.value_length", (uint)config.HeadDim);
        AddRopeScaling(metadata, arch, config.RopeScaling);
    }

    /// <summary>
    /// The <c>{arch}.rope.scaling.*</c> keys convert_hf_to_gguf.py writes for linear and YaRN scaling; Llama 3's scaling
    /// travels as the <c>rope_freqs.weight</c> tensor instead (<see cref="RopeFrequencyFactors"/>). llama.cpp has no
    /// dynamic NTK and only YaRN's default ramp and attention factor, so the other variants are refused rather than
    /// exported to a file that would compute different positions.
    /// </summary>
    static void AddRopeScaling(GgufMetadata metadata, string arch, RopeScaling? scaling)
    {
        switch (scaling)
        {
            case null or Llama3RopeScaling:
                return;
            case LinearRopeScaling linear:
                metadata.String($"{arch}.rope.scaling.type", "linear").Float32($"{arch}.rope.scaling.factor", (float)linear.Factor);
                return;
            case YarnRopeScaling { BetaFast: 32, BetaSlow: 1, AttentionFactorOverride: null, Mscale: null, MscaleAllDim: null } yarn:
                metadata.String($"{arch}.rope.scaling.type", "yarn").Float32($"{arch}.rope.scaling.factor", (float)yarn.Factor)
                    .UInt32($"{arch}.rope.scaling.original_context_length", (uint)yarn.OriginalMaxPositionEmbeddings);
                return;
            default:
                throw new NotSupportedException($"rope_scaling of type '{scaling.RopeType}' with these parameters ({scaling}) has no llama.cpp equivalent; "
                    + "GGUF export supports linear, llama3 and YaRN with its default beta_fast 32, beta_slow 1 and attention factor.");
        }
    }

    /// <summary>
    /// Llama 3.1's frequency-dependent RoPE scaling is not a metadata key in llama.cpp but a tensor of per-frequency
    /// divisors, <c>rope_freqs.weight</c> (head_dim/2 values), computed as convert_hf_to_gguf.py's
    /// <c>LlamaModel.generate_extra_tensors</c> computes it; null when the model has no such scaling.
    /// </summary>
    public static float[]? RopeFrequencyFactors(ModelConfig config)
    {
        if (config.RopeScaling is not Llama3RopeScaling s) return null;
        int dim = config.HeadDim;
        double lowWavelength = s.OriginalMaxPositionEmbeddings / s.LowFreqFactor;
        double highWavelength = s.OriginalMaxPositionEmbeddings / s.HighFreqFactor;
        var factors = new float[dim / 2];
        for (int i = 0; i < dim / 2; i++)
        {
            double frequency = 1.0 / Math.Pow(config.RopeTheta, 2.0 * i / dim);
            double wavelength = 2 * Math.PI / frequency;
            if (wavelength < highWavelength) factors[i] = 1;
            else if (wavelength > lowWavelength) factors[i] = (float)s.Factor;
            else
            {
                double smooth = (s.OriginalMaxPositionEmbeddings / wavelength - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor);
                factors[i] = (float)(1 / ((1 - smooth) / s.Factor + smooth));
            }
        }
        return factors;
    }
}
