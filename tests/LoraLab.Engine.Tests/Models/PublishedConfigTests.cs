using System.Text.Json.Nodes;
using LoraLab.Engine.Models;
using static TorchSharp.torch;

namespace LoraLab.Engine.Tests.Models;

public sealed class PublishedConfigTests
{
    static ModelConfig Parse(string json, Action<JsonObject>? tweak = null)
    {
        var obj = JsonNode.Parse(json)!.AsObject();
        tweak?.Invoke(obj);
        return ModelConfig.Parse(obj);
    }

    // Published counts are the "safetensors.total" that the Hugging Face Hub API reports for each repository, i.e. the
    // elements of the tensors stored in its model files: SmolLM2-135M-Instruct 134,515,008, Qwen2.5-0.5B-Instruct
    // 494,032,768, Qwen3-0.6B 751,632,384, Llama-3.2-1B-Instruct 1,235,814,400 and Mistral-7B-Instruct-v0.3
    // 7,248,023,552 (a table of Hub API answers, index id 71142266638); TinyLlama-1.1B-Chat-v1.0 "BF16: 1100048384"
    // (index id 71059031264; its model.safetensors of 2,200,119,864 bytes is 2 × 1,100,048,384 plus 23,096 bytes of header).
    // The model cards agree: "1B (1.23B)" for Llama 3.2, "0.6B" with "0.44B non-embedding" for Qwen3.
    // The engine counts each distinct parameter once, so a tied lm_head adds nothing. That equals the Hub total for every
    // model but Qwen3-0.6B, whose file stores lm_head.weight as well although tie_word_embeddings is true: see below.
    [Theory]
    [InlineData(nameof(PublishedConfigs.SmolLM2_135MInstruct), 134_515_008L)]
    [InlineData(nameof(PublishedConfigs.Qwen25_05BInstruct), 494_032_768L)]
    [InlineData(nameof(PublishedConfigs.Qwen3_06B), 596_049_920L)]          // unique; the Hub total 751,632,384 has lm_head twice
    [InlineData(nameof(PublishedConfigs.Llama32_1BInstruct), 1_235_814_400L)]
    [InlineData(nameof(PublishedConfigs.Mistral7BInstructV03), 7_248_023_552L)]
    [InlineData(nameof(PublishedConfigs.TinyLlama11BChatV10), 1_100_048_384L)]
    public void The_parameter_count_derived_from_a_published_config_equals_the_published_count(string name, long expected)
    {
        var config = Parse(Published(name));

        Assert.Equal(expected, config.ParameterCount());
    }

    [Fact]
    public void Qwen3_06B_counted_once_is_its_stored_total_less_the_tied_copy_and_its_card_figure_without_embeddings()
    {
        var config = Parse(PublishedConfigs.Qwen3_06B);
        long embedding = (long)config.VocabSize * config.HiddenSize;    // 151,936 × 1,024 = 155,582,464

        Assert.True(config.TieWordEmbeddings);
        Assert.Equal(751_632_384L, config.ParameterCount() + embedding);  // Hub safetensors.total: lm_head stored too
        Assert.Equal(440_467_456L, config.ParameterCount() - embedding);  // the card's "0.44B non-embedding"
    }

    [Fact]
    public void Qwen25_with_a_sliding_window_value_but_use_sliding_window_false_has_no_window()
    {
        var config = Parse(PublishedConfigs.Qwen25_05BInstruct);

        Assert.Null(config.SlidingWindow);
        Assert.True(config.QkvBias);
        Assert.True(config.TieWordEmbeddings);
        Assert.Equal("bfloat16", config.TorchDType);
    }

    [Fact]
    public void Qwen25_with_the_window_switched_on_for_only_the_layers_past_max_window_layers_is_refused_in_a_sentence()
    {
        var e = Assert.Throws<ModelConfigException>(() => Parse(PublishedConfigs.Qwen25_05BInstruct, j => j["use_sliding_window"] = true));

        Assert.Contains("max_window_layers 21 of num_hidden_layers 24", e.Message);
    }

    [Fact]
    public void Qwen_with_the_window_switched_on_and_max_window_layers_zero_windows_every_layer()
    {
        var config = Parse(PublishedConfigs.Qwen25_05BInstruct, j => { j["use_sliding_window"] = true; j["max_window_layers"] = 0; });

        Assert.Equal(32768, config.SlidingWindow);
    }

    [Fact]
    public void Llama32_reads_its_llama3_rope_scaling_and_its_three_eos_ids()
    {
        var config = Parse(PublishedConfigs.Llama32_1BInstruct);

        Assert.Equal(new Llama3RopeScaling(32.0, 1.0, 4.0, 8192), config.RopeScaling);
        Assert.Equal([128001, 128008, 128009], config.EosTokenIds);
        Assert.Equal(128000, config.BosTokenId);
        Assert.Equal(64, config.HeadDim);
    }

    [Fact]
    public void Qwen3_reads_head_dim_128_apart_from_hidden_size_over_heads()
    {
        var config = Parse(PublishedConfigs.Qwen3_06B);

        Assert.Equal(128, config.HeadDim);
        Assert.Null(config.RopeScaling);
        Assert.Null(config.SlidingWindow);
    }

    [Fact]
    public void Mistral_v03_has_no_window_when_sliding_window_is_null()
    {
        Assert.Null(Parse(PublishedConfigs.Mistral7BInstructV03).SlidingWindow);
    }

    [Theory]
    [InlineData(nameof(PublishedConfigs.SmolLM2_135MInstruct))]
    [InlineData(nameof(PublishedConfigs.Qwen25_05BInstruct))]
    [InlineData(nameof(PublishedConfigs.Qwen3_06B))]
    [InlineData(nameof(PublishedConfigs.TinyLlama11BChatV10))]
    public void A_one_layer_copy_of_a_published_config_gives_finite_logits_of_the_vocabulary_size(string name)
    {
        // Fewer layers, same everything else; float32 random weights (the real ones are not fetched in tests).
        var config = Parse(Published(name), j => j["num_hidden_layers"] = 1);
        using var lm = TinyModels.Create(config, seed: 3);
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 1, 5, 9, 2, 7, 3 }).reshape(2, 3);   // (B, T)

        var logits = lm.Forward(ids);                                       // (B, T, V)

        Assert.Equal(new long[] { 2, 3, config.VocabSize }, logits.shape);
        Assert.True(logits.isfinite().all().item<bool>());
    }

    static string Published(string name) =>
        (string)typeof(PublishedConfigs).GetField(name)!.GetValue(null)!;
}
