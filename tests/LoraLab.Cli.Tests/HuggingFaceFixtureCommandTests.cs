using System.Text.Json;
using System.Text.Json.Nodes;
using LoraLab.Engine.Checkpoints;

namespace LoraLab.Cli.Tests;

/// <summary>
/// <c>loralab eval</c>, <c>generate</c> and <c>train</c> on the checkpoints and PEFT adapters of <c>../shared/fixtures/hf</c>,
/// which an independent implementation of transformers' and PEFT's conventions wrote, against the numbers it computed
/// (its README: loss within 1e-4 relative for float32 weights, 1e-3 for the bf16 qwen2; greedy ids identical).
/// </summary>
public sealed class HuggingFaceFixtureCommandTests : IDisposable
{
    static readonly string Fixtures = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, FindRoot(), "..", "shared", "fixtures", "hf"));
    static readonly JsonNode Expected = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures, "expected.json")))!;
    readonly string scratch = Directory.CreateTempSubdirectory("loralab-hf-cli-").FullName;

    public void Dispose() => Directory.Delete(scratch, recursive: true);

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Web.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("No Web.sln above the test binaries.");
    }

    public static TheoryData<string, string?> Runs()
    {
        var data = new TheoryData<string, string?>();
        foreach (var model in new[] { "llama", "qwen2" })
            foreach (var adapter in new[] { null, "lora_qv", "rslora_all", "dora_qkvo" }) data.Add(model, adapter);
        return data;
    }

    static JsonElement Json(LoralabProcess.Result r)
    {
        Assert.True(r.ExitCode == 0, r.StdErr);
        return JsonDocument.Parse(r.StdOut).RootElement;
    }

    static string[] AdapterArgs(string model, string? adapter) => adapter is null ? [] : ["--adapter", Path.Combine(Fixtures, $"{model}-{adapter}")];

    [Theory]
    [MemberData(nameof(Runs))]
    public void Eval_and_greedy_generate_give_the_reference_loss_and_ids(string model, string? adapter)
    {
        var expected = Expected["models"]![model]!;
        double expectedLoss = (adapter is null ? expected["base_loss"] : expected[adapter]!["loss"])!.GetValue<double>();
        var expectedIds = (adapter is null ? expected["greedy"]!["ids"] : expected[adapter]!["greedy_ids"])!.AsArray().Select(n => n!.GetValue<int>());

        var eval = Json(LoralabProcess.Run(["eval", "--model", Path.Combine(Fixtures, model), "--data", Path.Combine(Fixtures, "eval.jsonl"), "--json", .. AdapterArgs(model, adapter)]));
        var generate = Json(LoralabProcess.Run(["generate", "--model", Path.Combine(Fixtures, model), "--prompt", "The quick", "--greedy",
            "--max-new-tokens", "12", "--json", .. AdapterArgs(model, adapter)]));

        double tolerance = model == "qwen2" ? 1e-3 : 1e-4;
        Assert.InRange(eval.GetProperty("loss").GetDouble(), expectedLoss * (1 - tolerance), expectedLoss * (1 + tolerance));
        var ids = generate.GetProperty("prompt_ids").EnumerateArray().Concat(generate.GetProperty("generated_ids").EnumerateArray()).Select(e => e.GetInt32());
        Assert.Equal(expectedIds, ids);
    }

    /// <summary>
    /// Training on a real checkpoint writes what PEFT writes: for the reference adapter's settings the same tensor
    /// names and shapes as the reference's <c>adapter_model.safetensors</c>, and a config with its fields; and the
    /// trained adapter lowers the loss on the training texts.
    /// </summary>
    [Theory]
    [InlineData("llama")]
    [InlineData("qwen2")]
    public void Train_writes_an_adapter_with_the_names_and_shapes_of_the_reference_peft_adapter_that_lowers_the_loss(string model)
    {
        string output = Path.Combine(scratch, model), train = Path.Combine(Fixtures, "train.jsonl");
        var run = LoralabProcess.Run("train", "--model", Path.Combine(Fixtures, model), "--data", train, "--method", "lora", "--r", "4",
            "--lora-alpha", "8", "--target-modules", "q_proj,v_proj", "--batch-size", "2", "--max-steps", "30", "--learning-rate", "0.01",
            "--seed", "1", "--out", output);
        Assert.True(run.ExitCode == 0, run.StdErr);
        string trained = Path.Combine(output, "adapter"), reference = Path.Combine(Fixtures, $"{model}-lora_qv");
        Assert.Single(Directory.GetFiles(Path.Combine(output, "tensorboard"), "events.out.tfevents.*"));

        using (var ours = SafetensorsFile.Open(Path.Combine(trained, "adapter_model.safetensors")))
        using (var theirs = SafetensorsFile.Open(Path.Combine(reference, "adapter_model.safetensors")))
        {
            Assert.Equal(theirs.Tensors.Keys.Order(StringComparer.Ordinal), ours.Tensors.Keys.Order(StringComparer.Ordinal));
            foreach (var (key, entry) in theirs.Tensors) Assert.Equal(entry.Shape, ours.Tensors[key].Shape);
        }
        var ourConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(trained, "adapter_config.json")))!.AsObject();
        foreach (var (field, value) in JsonNode.Parse(File.ReadAllText(Path.Combine(reference, "adapter_config.json")))!.AsObject())
            if (field != "base_model_name_or_path")
                Assert.True(JsonNode.DeepEquals(value, ourConfig[field]), $"{field}: ours {ourConfig[field]?.ToJsonString()}, PEFT's {value?.ToJsonString()}");

        double Loss(params string[] extra) => Json(LoralabProcess.Run(["eval", "--model", Path.Combine(Fixtures, model), "--data", train, "--json", .. extra]))
            .GetProperty("loss").GetDouble();
        Assert.True(Loss("--adapter", trained) < Loss() - 1.0, "the adapter should have learnt the training texts");
    }
}
