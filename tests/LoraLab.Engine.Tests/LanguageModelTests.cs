using System.Text.Json.Nodes;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Models;
using LoraLab.Engine.Tokenization;
using static TorchSharp.torch;

namespace LoraLab.Engine.Tests;

public sealed class LanguageModelTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("loralab-lm-").FullName;

    public LanguageModelTests()
    {
        BpeTokenizerTrainer.TrainToFile(["hello there", "general kenobi"], 280, ["<|endoftext|>", "<|im_start|>", "<|im_end|>"], Path.Combine(dir, "tokenizer.json"));
        int vocab = TokenizerLoader.Load(dir).VocabSize;
        var config = ModelConfig.Parse(new JsonObject
        {
            ["architectures"] = new JsonArray("LlamaForCausalLM"), ["vocab_size"] = vocab, ["hidden_size"] = 16, ["intermediate_size"] = 32,
            ["num_hidden_layers"] = 1, ["num_attention_heads"] = 2, ["eos_token_id"] = 0,
        });
        using var lm = new CausalLM(config, CPU, ScalarType.Float32);
        ModelInitializer.InitializeRandom(lm, 1);
        PretrainedModel.Save(lm, dir);
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void A_chat_format_adds_its_end_of_turn_token_to_the_stop_ids()
    {
        using var lm = LanguageModel.Open(dir, ComputeDevice.Cpu);
        int imEnd = lm.Tokenizer.Encode("<|im_end|>", addSpecialTokens: false).Single();

        Assert.Equal([0], lm.StopIds(null));
        Assert.Equal([0, imEnd], lm.StopIds(ChatTemplate.FromName("chatml")));
        Assert.Equal([0], lm.StopIds(ChatTemplate.FromName("alpaca")));
        Assert.Equal([0], lm.StopIds(ChatTemplate.FromName("llama3")));   // <|eot_id|> is no token of this tokenizer
    }
}
