using System.Text.Json.Nodes;
using LoraLab.Engine.Models;
using LoraLab.Engine.Tokenization;
using static TorchSharp.torch;

namespace LoraLab.Web.Tests;

/// <summary>
/// A Hugging Face model folder made for the tests: a byte-level BPE tokenizer with ChatML's markers, trained on a few
/// sentences, and random Llama weights small enough to train on a CPU in seconds.
/// </summary>
public static class TinyModelFolder
{
    static readonly string[] Corpus =
    [
        "the cat sat on the mat", "a dog ran in the park", "what is the capital of france", "paris is the capital of france",
        "translate to french", "hello world", "bonjour le monde", "name an animal",
    ];

    /// <summary>Writes config.json, tokenizer.json and model.safetensors into <paramref name="folder"/>.</summary>
    public static string Write(string folder, bool withWeights = true)
    {
        Directory.CreateDirectory(folder);
        BpeTokenizerTrainer.TrainToFile(Corpus, vocabSize: 360, specialTokens: ["<|endoftext|>", "<|im_start|>", "<|im_end|>"], Path.Combine(folder, "tokenizer.json"));
        var tokenizer = TokenizerLoader.Load(folder);
        var config = ModelConfig.Parse(new JsonObject
        {
            ["architectures"] = new JsonArray("LlamaForCausalLM"), ["vocab_size"] = tokenizer.VocabSize, ["hidden_size"] = 32,
            ["intermediate_size"] = 64, ["num_hidden_layers"] = 2, ["num_attention_heads"] = 4, ["num_key_value_heads"] = 2,
            ["max_position_embeddings"] = 256, ["tie_word_embeddings"] = true, ["eos_token_id"] = 0, ["torch_dtype"] = "float32",
        });
        if (withWeights)
        {
            using var lm = new CausalLM(config, CPU, ScalarType.Float32);
            ModelInitializer.InitializeRandom(lm, seed: 11, std: 0.2);
            PretrainedModel.Save(lm, folder);
        }
        else File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJson().ToJsonString());
        return folder;
    }

    /// <summary>Alpaca records: five good ones and, on lines 3, 5 and 7, an empty output, a line that is not JSON, and a missing instruction.</summary>
    public const string AlpacaWithIssues = """
        {"instruction": "What is the capital of France?", "input": "", "output": "Paris is the capital of France."}
        {"instruction": "Translate to French", "input": "hello world", "output": "bonjour le monde"}
        {"instruction": "Say hello", "input": "", "output": ""}
        {"instruction": "Name an animal", "input": "", "output": "the cat"}
        this line is not json
        {"instruction": "What sat on the mat?", "input": "", "output": "the cat sat on the mat"}
        {"input": "no instruction here", "output": "a dog"}
        {"instruction": "Where did the dog run?", "input": "", "output": "a dog ran in the park"}
        """;
}
