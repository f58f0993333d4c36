using System.Text.Json.Nodes;
using LoraLab.Engine.Models;
using LoraLab.Engine.Tokenization;
using static TorchSharp.torch;

namespace LoraLab.Cli.Tests;

/// <summary>A Hugging Face model folder made for the tests: a BPE tokenizer trained on a few sentences and random Llama weights.</summary>
public sealed class TinyModelFolder : IDisposable
{
    public static readonly string[] Corpus =
    [
        "the cat sat on the mat", "a dog ran in the park", "the sun is warm today", "we read a book at night",
        "she likes green tea", "he plays the piano well", "birds sing in the morning", "the river flows to the sea",
    ];

    public TinyModelFolder()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("loralab-cli-").FullName;
        BpeTokenizerTrainer.TrainToFile(Corpus, vocabSize: 300, specialTokens: ["<|endoftext|>"], Path.Combine(Directory, "tokenizer.json"));
        var tokenizer = TokenizerLoader.Load(Directory);
        var config = ModelConfig.Parse(new JsonObject
        {
            ["architectures"] = new JsonArray("LlamaForCausalLM"), ["vocab_size"] = tokenizer.VocabSize, ["hidden_size"] = 32,
            ["intermediate_size"] = 64, ["num_hidden_layers"] = 2, ["num_attention_heads"] = 4, ["num_key_value_heads"] = 2,
            ["max_position_embeddings"] = 256, ["tie_word_embeddings"] = true, ["eos_token_id"] = tokenizer.EosIds.FirstOrDefault(),
        });
        using var lm = new CausalLM(config, CPU, ScalarType.Float32);
        ModelInitializer.InitializeRandom(lm, seed: 11, std: 0.2);
        PretrainedModel.Save(lm, Directory);
    }

    public string Directory { get; }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
