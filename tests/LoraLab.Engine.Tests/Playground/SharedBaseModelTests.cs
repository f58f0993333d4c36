using System.Text.Json.Nodes;
using LoraLab.Engine.Data;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Evaluation;
using LoraLab.Engine.Evaluation.Benchmarks;
using LoraLab.Engine.Generation;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Playground;
using LoraLab.Engine.Tests.Peft;
using LoraLab.Engine.Tokenization;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Ia3;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Engine.Peft.PromptTuning;

namespace LoraLab.Engine.Tests.Playground;

/// <summary>A tiny model folder and adapters of four kinds saved beside it, each far from its initial values.</summary>
public sealed class SharedBaseModelTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("loralab-shared-base-").FullName;
    readonly string model;
    static readonly IReadOnlyList<int>[] Prompts = [[5, 6, 7], [30, 31, 32, 33, 34], [9, 10]];
    static readonly SamplingOptions Greedy = SamplingOptions.Greedy with { MaxNewTokens = 8 };

    public SharedBaseModelTests()
    {
        model = Path.Combine(root, "model");
        Directory.CreateDirectory(model);
        BpeTokenizerTrainer.TrainToFile(["hello there", "general kenobi"], 280, ["<|endoftext|>", "<|im_start|>", "<|im_end|>"], Path.Combine(model, "tokenizer.json"));
        var config = ModelConfig.Parse(new JsonObject
        {
            ["architectures"] = new JsonArray("LlamaForCausalLM"), ["vocab_size"] = TokenizerLoader.Load(model).VocabSize, ["hidden_size"] = 32,
            ["intermediate_size"] = 64, ["num_hidden_layers"] = 2, ["num_attention_heads"] = 4, ["num_key_value_heads"] = 2, ["eos_token_id"] = 0,
        });
        using var lm = new CausalLM(config, CPU, ScalarType.Float32);
        ModelInitializer.InitializeRandom(lm, seed: 1, std: 0.2);
        PretrainedModel.Save(lm, model);

        SaveLora("lora", new LoraConfig { R = 4, LoraAlpha = 8, TargetModules = ["q_proj", "v_proj"] }, seed: 2);
        SaveLora("dora", new LoraConfig { R = 2, LoraAlpha = 4, UseDora = true, TargetModules = [LoraConfig.AllLinear] }, seed: 3);
        SaveWith("ia3", lm => new Ia3Method(Ia3Config.For(lm.Config.Family)), p => p.uniform_(0.2, 2.0, new Generator(4)));
        SaveWith("prompt", _ => new PromptTuningMethod(new PromptTuningConfig { NumVirtualTokens = 3 }, seed: 5), _ => { });
        SaveWith("pissa", _ => new LoraMethod(new LoraConfig { R = 2, LoraAlpha = 2, InitLoraWeights = "pissa", TargetModules = ["q_proj"] }, seed: 6),
            p => p.add_(0.1));
    }

    public void Dispose() => Directory.Delete(root, recursive: true);

    string Adapter(string name) => Path.Combine(root, name);

    void SaveLora(string name, LoraConfig config, long seed)
    {
        using var lm = PretrainedModel.Load(model, ComputeDevice.Cpu);
        AdapterTestKit.Randomize(LoraInjection.Inject(lm, config, name).Values, seed, std: 0.5);
        PeftLoraFiles.Save(lm, name, config, Adapter(name));
    }

    void SaveWith(string name, Func<CausalLM, IPeftMethod> create, Action<TorchSharp.Modules.Parameter> perturb)
    {
        using var lm = PretrainedModel.Load(model, ComputeDevice.Cpu);
        var method = create(lm);
        method.Attach(lm);
        using (no_grad()) foreach (var (_, p) in method.TrainableParameters()) perturb(p);
        method.Save(lm, Adapter(name));
    }

    /// <summary>The independent reference: a fresh model with only this adapter, generating one prompt alone.</summary>
    IReadOnlyList<int> Alone(string? adapter, IReadOnlyList<int> prompt)
    {
        using var lm = LanguageModel.Open(model, ComputeDevice.Cpu, adapter is null ? null : Adapter(adapter));
        return new TokenGenerator(lm.Network).Generate([prompt], Greedy, eosTokenIds: [], virtualTokens: lm.Adapter?.VirtualTokens)[0].TokenIds;
    }

    static IReadOnlyList<GenerationResult> Run(SideBySideRun run)
    {
        foreach (var _ in run.Steps()) { }
        return run.Results;
    }

    [Fact]
    public void Each_adapter_is_placed_as_its_config_alone_says_so_the_playground_can_tell_before_loading()
    {
        using var shared = SharedBaseModel.Open(model, ComputeDevice.Cpu);
        string[] names = ["lora", "dora", "ia3", "prompt", "pissa"];

        var loaded = names.Select(n => shared.Load(n, Adapter(n))).ToArray();

        Assert.Equal(names.Select(n => AdapterPlacements.Of(Adapter(n))), loaded);
        Assert.Equal(AdapterPlacement.OwnCopy, shared.PlacementOf("pissa"));
    }

    [Fact]
    public void Base_lora_and_dora_columns_answer_in_one_routed_pass_exactly_as_each_alone()
    {
        using var shared = SharedBaseModel.Open(model, ComputeDevice.Cpu);
        Assert.Equal(AdapterPlacement.Routed, shared.Load("lora", Adapter("lora")));
        Assert.Equal(AdapterPlacement.Routed, shared.Load("dora", Adapter("dora")));
        string?[] adapters = ["lora", null, "dora"];

        using var run = shared.Start(Prompts, adapters, [Greedy, Greedy, Greedy], eosTokenIds: []);
        var results = Run(run);

        Assert.Equal(1, run.PassCount);
        Assert.Equal([0, 0, 0], run.PassOfRow);
        for (int row = 0; row < Prompts.Length; row++) Assert.Equal(Alone(adapters[row], Prompts[row]), results[row].TokenIds);
        Assert.NotEqual(Alone(null, Prompts[0]), results[0].TokenIds);
    }

    [Fact]
    public void Ia3_and_prompt_tuning_columns_run_in_passes_of_their_own_and_answer_as_alone()
    {
        using var shared = SharedBaseModel.Open(model, ComputeDevice.Cpu);
        shared.Load("lora", Adapter("lora"));
        Assert.Equal(AdapterPlacement.OwnCopy, shared.Load("ia3", Adapter("ia3")));
        Assert.Equal(AdapterPlacement.SoftPrompt, shared.Load("prompt", Adapter("prompt")));
        IReadOnlyList<int>[] prompts = [.. Prompts, Prompts[0]];
        string?[] adapters = ["ia3", null, "prompt", "lora"];

        using var run = shared.Start(prompts, adapters, [Greedy, Greedy, Greedy, Greedy], eosTokenIds: []);
        var results = Run(run);

        Assert.Equal(3, run.PassCount);
        Assert.Equal([1, 0, 2, 0], run.PassOfRow);
        for (int row = 0; row < prompts.Length; row++) Assert.Equal(Alone(adapters[row], prompts[row]), results[row].TokenIds);
        Assert.NotEqual(Alone(null, Prompts[0]), results[0].TokenIds);
        Assert.NotEqual(Alone(null, Prompts[2]), results[2].TokenIds);
    }

    [Fact]
    public void Cancelling_ends_the_running_pass_and_every_pass_not_started()
    {
        using var shared = SharedBaseModel.Open(model, ComputeDevice.Cpu);
        shared.Load("ia3", Adapter("ia3"));
        using var cancellation = new CancellationTokenSource();

        using var run = shared.Start(Prompts, [null, "ia3", null], [Greedy, Greedy, Greedy], eosTokenIds: []);
        foreach (var step in run.Steps(cancellation.Token))
            if (step.Pass == 0) cancellation.Cancel();

        Assert.All(run.Results, r => Assert.Equal(FinishReason.Cancelled, r.FinishReason));
        Assert.Equal((1, 0), (run.Results[0].TokenIds.Count, run.Results[1].TokenIds.Count));
    }

    [Fact]
    public void The_loss_of_a_column_is_the_loss_of_a_model_with_only_that_adapter_and_leaves_the_base_inactive()
    {
        const int Ignore = TrainingExample.IgnoreLabel;
        TrainingExample[] examples = [new([5, 6, 7, 8, 9], [Ignore, Ignore, 7, 8, 9]), new([30, 31, 32], [Ignore, 31, 32])];
        using var shared = SharedBaseModel.Open(model, ComputeDevice.Cpu);
        shared.Load("lora", Adapter("lora"));
        shared.Load("prompt", Adapter("prompt"));
        using var alone = LanguageModel.Open(model, ComputeDevice.Cpu, Adapter("lora"));
        var expected = CompletionLossEvaluator.Evaluate(alone.Network, examples);
        var baseLoss = shared.Loss(null, examples);

        var lora = shared.Loss("lora", examples);
        var prompt = shared.Loss("prompt", examples);

        Assert.Equal(expected.Loss, lora.Loss, 5);
        Assert.NotEqual(baseLoss.Loss, lora.Loss, 3);
        Assert.NotEqual(baseLoss.Loss, prompt.Loss, 3);
        Assert.Equal(baseLoss.Loss, shared.Loss(null, examples).Loss, 6);
    }

    [Theory]
    [InlineData("lora")]     // routed on the base
    [InlineData("prompt")]   // virtual tokens before the ids
    [InlineData("ia3")]      // its own copy of the base
    public void Multiple_choice_log_likelihoods_of_a_column_are_those_of_a_model_with_only_that_adapter(string adapter)
    {
        MultipleChoiceQuestion[] questions =
        [
            new("Question: hello\nAnswer:", ["there", "kenobi", "general"], 0),
            new("general", ["kenobi", "there"], 1),
        ];
        using var shared = SharedBaseModel.Open(model, ComputeDevice.Cpu);
        shared.Load("lora", Adapter("lora"));
        if (adapter != "lora") shared.Load(adapter, Adapter(adapter));
        using var alone = LanguageModel.Open(model, ComputeDevice.Cpu, Adapter(adapter));
        var expected = MultipleChoiceScorer.Score(alone.Network, alone.Tokenizer, questions, alone.Logits);
        var baseOnly = shared.MultipleChoice(null, questions);

        var scored = shared.MultipleChoice(adapter, questions);

        for (int q = 0; q < questions.Length; q++)
        {
            Assert.Equal(expected.LogLikelihoods[q], scored.LogLikelihoods[q], (a, b) => Math.Abs(a - b) < 1e-4);
            Assert.NotEqual(baseOnly.LogLikelihoods[q], scored.LogLikelihoods[q], (a, b) => Math.Abs(a - b) < 1e-4);
        }
        Assert.Equal((expected.Accuracy, expected.NormalizedAccuracy), (scored.Accuracy, scored.NormalizedAccuracy));
        // The routed adapter is inactive again: the base alone scores as before.
        Assert.Equal(baseOnly.LogLikelihoods[0], shared.MultipleChoice(null, questions).LogLikelihoods[0], (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public void An_adapter_that_is_not_loaded_is_refused_naming_the_loaded_ones()
    {
        using var shared = SharedBaseModel.Open(model, ComputeDevice.Cpu);
        shared.Load("lora", Adapter("lora"));

        var e = Assert.Throws<ArgumentException>(() => shared.Start([Prompts[0]], ["lroa"], [Greedy], eosTokenIds: []));

        Assert.Equal("No adapter named 'lroa' is loaded; loaded: lora.", e.Message);
    }
}
