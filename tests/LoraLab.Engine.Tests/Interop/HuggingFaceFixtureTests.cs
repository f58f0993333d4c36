using LoraLab.Engine.Checkpoints;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Evaluation;
using LoraLab.Engine.Generation;
using LoraLab.Engine.Playground;
using static LoraLab.Engine.Tests.Interop.HuggingFaceFixtures;

namespace LoraLab.Engine.Tests.Interop;

/// <summary>Every model and adapter of <c>../shared/fixtures/hf</c> loads and gives the numbers its independent writer computed.</summary>
public sealed class HuggingFaceFixtureTests
{
    static readonly SamplingOptions TwelveGreedyTokens = SamplingOptions.Greedy with { MaxNewTokens = 12 };

    public static TheoryData<string> Models() => new(ModelNames);

    public static TheoryData<string, string> ModelsAndAdapters() => ModelAdapterPairs();

    static double Loss(LanguageModel lm)
    {
        var sequences = EvalTexts().Select(t => lm.Tokenizer.Encode(t)).ToList();
        return PerplexityEvaluator.Evaluate(lm.Network, sequences,
            forward: lm.Logits).Loss;
    }

    static int[] Greedy(LanguageModel lm, string prompt)
    {
        var promptIds = lm.Tokenizer.Encode(prompt);
        var generated = new TokenGenerator(lm.Network).Generate([promptIds], TwelveGreedyTokens, eosTokenIds: [])[0].TokenIds;
        return [.. promptIds, .. generated];
    }

    static void AssertLoss(double expected, double actual, string model) =>
        Assert.True(Math.Abs(actual - expected) <= RelativeLossTolerance(model) * Math.Abs(expected),
            $"{model}: loss {actual:R}, the reference computed {expected:R}");

    [Fact]
    public void The_tokenizer_of_every_fixture_model_gives_the_reference_ids()
    {
        foreach (var model in ModelNames)
        {
            var tokenizer = Engine.Tokenization.TokenizerLoader.Load(ModelFolder(model));
            foreach (var (text, ids) in Expected["token_ids"]!.AsObject())
                Assert.Equal(Ids(ids!), tokenizer.Encode(text));
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void A_base_model_gives_the_reference_loss_and_greedy_continuation(string model)
    {
        using var lm = LanguageModel.Open(ModelFolder(model), ComputeDevice.Cpu);
        var expected = ExpectedFor(model);

        AssertLoss(expected["base_loss"]!.GetValue<double>(), Loss(lm), model);
        Assert.Equal(Ids(expected["greedy"]!["ids"]!), Greedy(lm, expected["greedy"]!["prompt"]!.GetValue<string>()));
    }

    [Theory]
    [MemberData(nameof(ModelsAndAdapters))]
    public void A_peft_adapter_gives_the_reference_loss_and_greedy_continuation(string model, string adapter)
    {
        using var lm = LanguageModel.Open(ModelFolder(model), ComputeDevice.Cpu, AdapterFolder(model, adapter));
        var expected = ExpectedFor(model)[adapter]!;

        AssertLoss(expected["loss"]!.GetValue<double>(), Loss(lm), model);
        Assert.Equal(Ids(expected["greedy_ids"]!), Greedy(lm, "The quick"));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void The_base_and_all_three_adapters_answer_in_one_batched_pass_as_the_reference_did(string model)
    {
        using var shared = SharedBaseModel.Open(ModelFolder(model), ComputeDevice.Cpu);
        foreach (var adapter in Adapters) shared.Load(adapter, AdapterFolder(model, adapter));
        var prompt = shared.Base.Tokenizer.Encode("The quick");
        string?[] columns = [null, .. Adapters];

        using var run = shared.Start(columns.Select(_ => prompt).ToArray(), columns, columns.Select(_ => TwelveGreedyTokens).ToArray(), eosTokenIds: []);
        foreach (var _ in run.Steps()) { }

        Assert.Equal(1, run.PassCount);
        Assert.Equal(Ids(ExpectedFor(model)["greedy"]!["ids"]!), prompt.Concat(run.Results[0].TokenIds).ToArray());
        for (int i = 0; i < Adapters.Length; i++)
            Assert.Equal(Ids(ExpectedFor(model)[Adapters[i]]!["greedy_ids"]!), prompt.Concat(run.Results[i + 1].TokenIds).ToArray());
    }

    /// <summary>
    /// The guard the missing-key bug lacked: the names the engine's modules give their weights are exactly the
    /// checkpoint's, so nothing the engine registers (a stray Tensor field) can become a key that real files lack.
    /// </summary>
    [Theory]
    [MemberData(nameof(Models))]
    public void The_engine_state_dict_has_exactly_the_keys_of_a_hugging_face_checkpoint(string model)
    {
        using var lm = LanguageModel.Open(ModelFolder(model), ComputeDevice.Cpu);
        using var checkpoint = CheckpointReader.Open(ModelFolder(model));

        Assert.Equal(checkpoint.Tensors.Keys.Order(StringComparer.Ordinal), lm.Network.state_dict().Keys.Order(StringComparer.Ordinal));
    }
}
