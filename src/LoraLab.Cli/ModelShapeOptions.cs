using System.CommandLine;
using LoraLab.Engine.Models;

namespace LoraLab.Cli;

/// <summary>Flags that override a benchmark's model shape, each defaulting to the given base shape.</summary>
sealed class ModelShapeOptions
{
    readonly Option<string?> architecture = new("--architecture") { Description = "LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM or Qwen3ForCausalLM." };
    readonly Option<int?> vocab = new("--vocab-size");
    readonly Option<int?> hidden = new("--hidden-size");
    readonly Option<int?> intermediate = new("--intermediate-size");
    readonly Option<int?> layers = new("--layers");
    readonly Option<int?> heads = new("--heads");
    readonly Option<int?> kvHeads = new("--kv-heads");

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { architecture, vocab, hidden, intermediate, layers, heads, kvHeads }) command.Add(option);
    }

    public ModelConfig Read(ParseResult parse, ModelConfig shape)
    {
        var json = shape.ToJson();
        if (parse.GetValue(architecture) is { } a) json["architectures"] = new System.Text.Json.Nodes.JsonArray(a);
        void Set(Option<int?> option, string field) { if (parse.GetValue(option) is { } v) json[field] = v; }
        Set(vocab, "vocab_size");
        Set(hidden, "hidden_size");
        Set(intermediate, "intermediate_size");
        Set(layers, "num_hidden_layers");
        Set(heads, "num_attention_heads");
        Set(kvHeads, "num_key_value_heads");
        return ModelConfig.Parse(json, "the benchmark shape");
    }
}
