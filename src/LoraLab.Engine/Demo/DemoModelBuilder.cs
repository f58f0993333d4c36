using System.Text.Json;
using System.Text.Json.Nodes;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Tokenization;
using LoraLab.Engine.Training;
using static TorchSharp.torch;

namespace LoraLab.Engine.Demo;

/// <summary>What building the demo did: the pretraining run, and each task's figures (null when cancelled before they were all measured).</summary>
public sealed record DemoBuildResult(TrainingResult Pretraining, IReadOnlyList<DemoTaskFigures>? Tasks);

/// <summary>
/// Makes the offline demo from nothing: a byte-level BPE tokenizer trained on the synthetic corpus, a small Llama
/// model pretrained on it by our own trainer (full fine-tuning from random weights, packed sequences), the demo task
/// datasets, and one LoRA adapter per task. Output: <c>model/</c> (a Hugging Face folder),
/// <c>datasets/{task}-train.jsonl</c> and <c>-eval.jsonl</c>, and <c>adapters/{task}/</c> (PEFT layout).
/// </summary>
public static class DemoModelBuilder
{
    const string ChatMlJinja =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    public static DemoBuildResult Build(DemoBuildOptions o, ComputeDevice device, IProgress<TrainingEvent>? progress = null, CancellationToken cancellation = default)
    {
        var pretraining = Pretrain(o, device, progress, cancellation);
        if (pretraining.Status != TrainingStatus.Completed) return new DemoBuildResult(pretraining, null);
        WriteTaskDatasets(o, Path.Combine(o.OutputDirectory, "datasets"));
        return new DemoBuildResult(pretraining, DemoTaskAdapters.TrainAll(o.OutputDirectory, device, progress, cancellation));
    }

    /// <summary>Writes the tokenizer and the pretrained base model into <c>model/</c>.</summary>
    public static TrainingResult Pretrain(DemoBuildOptions o, ComputeDevice device, IProgress<TrainingEvent>? progress = null, CancellationToken cancellation = default)
    {
        string modelDir = Path.Combine(o.OutputDirectory, "model");
        string workDir = Path.Combine(o.OutputDirectory, "pretraining");
        Directory.CreateDirectory(modelDir);
        Directory.CreateDirectory(workDir);

        var documents = SyntheticCorpus.Documents(o.Seed).Take(o.Documents).ToList();
        WriteTokenizer(documents, o.VocabSize, modelDir);
        var tokenizer = TokenizerLoader.Load(modelDir);
        WriteInitialModel(o, tokenizer, modelDir);

        string corpusFile = Path.Combine(workDir, "corpus.jsonl");
        File.WriteAllLines(corpusFile, documents.Select(d => JsonSerializer.Serialize(new { text = d })));
        var request = new FineTuningRequest(modelDir, corpusFile, null, new MethodOptions { Method = "full" },
            new TrainingOptions
            {
                LearningRate = o.LearningRate, Schedule = LearningRateSchedule.Cosine, WarmupSteps = Math.Min(100, o.Steps / 10),
                MaxSteps = o.Steps, BatchSize = o.BatchSize, WeightDecay = 0.1, Precision = o.Precision, Seed = (long)o.Seed, KeepBest = false,
            },
            new DataOptions { MaxLength = o.SequenceLength, Pack = true, LossOnAllTokens = true, Format = "text" },
            Path.Combine(workDir, "run"));
        var result = FineTuningRun.Run(request, device, progress, cancellation: cancellation);
        if (result.Status != TrainingStatus.Completed) return result;

        foreach (string file in new[] { "config.json", "model.safetensors" })
            File.Copy(Path.Combine(result.AdapterDirectory, file), Path.Combine(modelDir, file), overwrite: true);
        Directory.Delete(workDir, recursive: true);
        return result;
    }

    static void WriteTokenizer(IReadOnlyList<string> documents, int vocabSize, string modelDir)
    {
        BpeTokenizerTrainer.TrainToFile(documents, vocabSize, [SyntheticCorpus.EndOfText, SyntheticCorpus.ImStart, SyntheticCorpus.ImEnd],
            Path.Combine(modelDir, "tokenizer.json"));
        var config = new JsonObject
        {
            ["tokenizer_class"] = "PreTrainedTokenizerFast",
            ["bos_token"] = null,
            ["eos_token"] = SyntheticCorpus.ImEnd,
            ["pad_token"] = SyntheticCorpus.EndOfText,
            ["add_bos_token"] = false,
            ["add_eos_token"] = false,
            ["chat_template"] = ChatMlJinja,
            ["model_max_length"] = 512,
        };
        File.WriteAllText(Path.Combine(modelDir, "tokenizer_config.json"), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    static void WriteInitialModel(DemoBuildOptions o, ITextTokenizer tokenizer, string modelDir)
    {
        int Id(string token) => tokenizer.Encode(token, addSpecialTokens: false).Single();
        var config = ModelConfig.Parse(new JsonObject
        {
            ["architectures"] = new JsonArray("LlamaForCausalLM"),
            ["vocab_size"] = tokenizer.VocabSize,
            ["hidden_size"] = o.HiddenSize,
            ["intermediate_size"] = o.IntermediateSize,
            ["num_hidden_layers"] = o.Layers,
            ["num_attention_heads"] = o.Heads,
            ["num_key_value_heads"] = o.KeyValueHeads,
            ["max_position_embeddings"] = 512,
            ["rms_norm_eps"] = 1e-5,
            ["rope_theta"] = 10000.0,
            ["tie_word_embeddings"] = true,
            ["eos_token_id"] = new JsonArray(Id(SyntheticCorpus.ImEnd), Id(SyntheticCorpus.EndOfText)),
            ["pad_token_id"] = Id(SyntheticCorpus.EndOfText),
        });
        using var lm = new CausalLM(config, CPU, ScalarType.Float32);
        ModelInitializer.InitializeRandom(lm, (long)o.Seed);
        PretrainedModel.Save(lm, modelDir);
    }

    /// <summary>Writes {task}-train.jsonl and {task}-eval.jsonl for every demo task (held-out inputs never occur in training).</summary>
    public static void WriteTaskDatasets(DemoBuildOptions o, string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (var (task, index) in DemoTasks.TaskNames.Select((t, i) => (t, i)))
        {
            // Held-out examples come from another seed, and any that also occur in training are dropped.
            var train = DemoTasks.Generate(task, o.TaskTrainExamples, o.Seed * 1000 + (ulong)index);
            var seen = train.Select(e => e.Input).ToHashSet();
            var eval = DemoTasks.Generate(task, o.TaskEvalExamples * 3, o.Seed * 1000 + 500 + (ulong)index)
                .Where(e => !seen.Contains(e.Input)).DistinctBy(e => e.Input).Take(o.TaskEvalExamples).ToList();
            WriteJsonl(Path.Combine(directory, $"{task}-train.jsonl"), train);
            WriteJsonl(Path.Combine(directory, $"{task}-eval.jsonl"), eval);
        }
    }

    static void WriteJsonl(string path, IEnumerable<InstructionExample> examples) =>
        File.WriteAllLines(path, examples.Select(e => JsonSerializer.Serialize(new { instruction = e.Instruction, input = e.Input, output = e.Output })));
}
