using LoraLab.Engine.Generation;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine;

/// <summary>A model folder opened for use: the network on its device, its tokenizer and its chat template.</summary>
public sealed class LanguageModel : IDisposable
{
    LanguageModel(string directory, CausalLM network, ITextTokenizer tokenizer, ChatTemplate? chatTemplate, LoadedAdapter? adapter)
    {
        GenerationDefaults = GenerationDefaults.Load(directory);
        Directory = directory;
        Adapter = adapter;
        Network = network;
        Tokenizer = tokenizer;
        ChatTemplate = chatTemplate;
    }

    public string Directory { get; }
    public CausalLM Network { get; }
    public ITextTokenizer Tokenizer { get; }
    /// <summary>The template recognised in tokenizer_config.json, or null when it declares none we know.</summary>
    public ChatTemplate? ChatTemplate { get; }
    public ModelConfig Config => Network.Config;
    /// <summary>generation_config.json's sampling values: the defaults of generate, the playground and serving.</summary>
    public GenerationDefaults GenerationDefaults { get; }
    /// <summary>The adapter loaded with the model, if any.</summary>
    public LoadedAdapter? Adapter { get; }

    /// <summary>End-of-sequence ids from the tokenizer and config.json together (Llama 3 instruct models list several).</summary>
    public IReadOnlyList<int> EosIds => Tokenizer.EosIds.Concat(Config.EosTokenIds).Distinct().ToArray();

    /// <summary>
    /// The ids that end a generated answer in <paramref name="template"/>'s format: the EOS ids and the template's
    /// end-of-turn marker when the tokenizer knows it as one special token (a model fine-tuned on ChatML learns to
    /// close its turn with &lt;|im_end|&gt;, which need not be its EOS).
    /// </summary>
    public IReadOnlyList<int> StopIds(ChatTemplate? template)
    {
        if (template?.EndOfTurn is not { } marker) return EosIds;
        var ids = Tokenizer.Encode(marker, addSpecialTokens: false);
        return ids is [var id] && Tokenizer.IsSpecial(id) ? EosIds.Append(id).Distinct().ToArray() : EosIds;
    }

    /// <summary>Logits (B, T, V) for ids (B, T), through the adapter when one is loaded (a soft prompt prepends its virtual tokens).</summary>
    public TorchSharp.torch.Tensor Logits(TorchSharp.torch.Tensor inputIds) => Adapter?.Forward(Network, inputIds) ?? Network.Forward(inputIds);

    public static LanguageModel Open(string directory, ComputeDevice device, string? adapterDirectory = null)
    {
        if (!System.IO.Directory.Exists(directory)) throw new DirectoryNotFoundException($"Model folder '{directory}' does not exist.");
        var tokenizer = TokenizerLoader.Load(directory);
        var network = PretrainedModel.Load(directory, device);
        try
        {
            var adapter = adapterDirectory is null ? null : AdapterFiles.Load(network, adapterDirectory);
            network.eval();
            return new LanguageModel(directory, network, tokenizer, ChatTemplate.Detect(directory), adapter);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    public void Dispose() => Network.Dispose();
}
