using System.Text.Json.Nodes;
using LoraLab.Engine.Models;
using LoraLab.Engine.Tokenization;
using static TorchSharp.torch;

namespace LoraLab.Engine.Tests.Hub;

/// <summary>A real model folder to serve from the stand-in Hub: a trained BPE tokenizer and random Llama weights, sharded on request.</summary>
static class HubTestModel
{
    static readonly string[] Corpus = ["the cat sat on the mat", "a dog ran in the park", "the sun is warm today", "birds sing in the morning"];

    public static string Write(string folder, long maxShardBytes = 2L << 30)
    {
        Directory.CreateDirectory(folder);
        BpeTokenizerTrainer.TrainToFile(Corpus, vocabSize: 280, specialTokens: ["<|endoftext|>"], Path.Combine(folder, "tokenizer.json"));
        var config = ModelConfig.Parse(new JsonObject
        {
            ["architectures"] = new JsonArray("LlamaForCausalLM"), ["vocab_size"] = TokenizerLoader.Load(folder).VocabSize, ["hidden_size"] = 32,
            ["intermediate_size"] = 64, ["num_hidden_layers"] = 2, ["num_attention_heads"] = 4, ["num_key_value_heads"] = 2,
            ["max_position_embeddings"] = 128, ["tie_word_embeddings"] = true,
        });
        using var lm = new CausalLM(config, CPU, ScalarType.Float32);
        ModelInitializer.InitializeRandom(lm, seed: 5, std: 0.2);
        PretrainedModel.Save(lm, folder, maxShardBytes);
        File.WriteAllText(Path.Combine(folder, "generation_config.json"), """{"eos_token_id": 0}""");
        return folder;
    }
}
