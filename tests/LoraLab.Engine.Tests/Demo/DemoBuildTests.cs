using System.Text.Json.Nodes;
using LoraLab.Engine.Checkpoints;
using LoraLab.Engine.Demo;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Training;

namespace LoraLab.Engine.Tests.Demo;

public sealed class DemoBuildTests : IDisposable
{
    readonly string _out = Directory.CreateTempSubdirectory("loralab-demo-").FullName;

    public void Dispose() => Directory.Delete(_out, recursive: true);

    /// <summary>The bundled recipe shrunk to seconds: a one-layer model, two pretraining steps, eight examples per task.</summary>
    DemoBuildOptions Tiny => new()
    {
        OutputDirectory = _out, Documents = 200, VocabSize = 300, HiddenSize = 32, Layers = 1, Heads = 2, KeyValueHeads = 1,
        IntermediateSize = 64, SequenceLength = 64, Steps = 2, BatchSize = 2, TaskTrainExamples = 8, TaskEvalExamples = 4,
    };

    [Fact]
    public void Building_the_demo_writes_the_model_the_datasets_and_one_default_lora_adapter_per_task()
    {
        var result = DemoModelBuilder.Build(Tiny, ComputeDevice.Cpu);

        Assert.Equal(TrainingStatus.Completed, result.Pretraining.Status);
        Assert.Equal(["adapters", "datasets", "model"], Directory.GetDirectories(_out).Select(Path.GetFileName).Order());
        Assert.Equal(DemoTasks.TaskNames, result.Tasks!.Select(t => t.Task));
        foreach (var figures in result.Tasks!)
        {
            string adapter = Path.Combine(_out, "adapters", figures.Task);
            Assert.Equal(["adapter_config.json", "adapter_model.safetensors"], Directory.GetFiles(adapter).Select(Path.GetFileName).Order());
            var config = JsonNode.Parse(File.ReadAllText(Path.Combine(adapter, "adapter_config.json")))!;
            // PEFT's LoRA as LoRA Lab defaults it: r 16, alpha 32 on every linear layer.
            Assert.Equal(("LORA", 16, 32.0, "all-linear"),
                ((string)config["peft_type"]!, (int)config["r"]!, (double)config["lora_alpha"]!, (string)config["target_modules"]!));
            // Eight examples in batches of four for one epoch.
            Assert.Equal(2, figures.Steps);
            Assert.Equal((4, 4), (figures.Base.Total, figures.Adapted.Total));
        }
        // Exactly the keys transformers' LlamaForCausalLM saves for one layer (tied embeddings: no lm_head), no buffers.
        using var weights = CheckpointReader.Open(Path.Combine(_out, "model"));
        string[] layer = ["input_layernorm", "post_attention_layernorm", "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj",
            "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"];
        string[] expected = ["model.embed_tokens.weight", "model.norm.weight", .. layer.Select(m => $"model.layers.0.{m}.weight")];
        Assert.Equal(expected.Order(StringComparer.Ordinal), weights.Tensors.Keys.Order(StringComparer.Ordinal));
    }
}
