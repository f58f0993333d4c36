using System.Text.Json;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Generation;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Tokenization;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Engine.Peft.PromptTuning;

namespace LoraLab.Cli.Tests;

public sealed class CommandLineTests : IClassFixture<TinyModelFolder>, IDisposable
{
    readonly TinyModelFolder model;
    readonly string scratch = Directory.CreateTempSubdirectory("loralab-cli-run-").FullName;

    public CommandLineTests(TinyModelFolder model) => this.model = model;

    public void Dispose() => Directory.Delete(scratch, recursive: true);

    static JsonElement Json(LoralabProcess.Result r)
    {
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.StdErr}");
        return JsonDocument.Parse(r.StdOut).RootElement;
    }

    [Fact]
    public void Tokenize_prints_the_ids_the_tokenizer_gives()
    {
        var expected = TokenizerLoader.Load(model.Directory).Encode("the cat ran");
        var ids = Json(LoralabProcess.Run("tokenize", "--model", model.Directory, "--text", "the cat ran", "--json"))
            .GetProperty("ids").EnumerateArray().Select(e => e.GetInt32());
        Assert.Equal(expected, ids);
    }

    [Fact]
    public void Greedy_generate_prints_the_prompt_ids_the_generated_ids_and_their_text()
    {
        var output = Json(LoralabProcess.Run("generate", "--model", model.Directory, "--prompt", "the dog", "--max-new-tokens", "6", "--greedy", "--json"));

        var tokenizer = TokenizerLoader.Load(model.Directory);
        using var lm = PretrainedModel.Load(model.Directory, ComputeDevice.Cpu);
        var promptIds = tokenizer.Encode("the dog");
        var expected = new TokenGenerator(lm).Generate([promptIds], SamplingOptions.Greedy with { MaxNewTokens = 6 }, tokenizer.EosIds)[0];

        Assert.Equal(promptIds, output.GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt32()));
        var generated = output.GetProperty("generated_ids").EnumerateArray().Select(e => e.GetInt32()).ToList();
        Assert.Equal(expected.TokenIds, generated.Where(id => !tokenizer.EosIds.Contains(id)));
        Assert.Equal(tokenizer.Decode(generated), output.GetProperty("text").GetString());
    }

    [Fact]
    public void Greedy_generate_runs_a_prompt_tuning_adapter_as_its_full_forward_pass_predicts()
    {
        string adapterDir = Path.Combine(scratch, "prompt-adapter");
        using (var lm = PretrainedModel.Load(model.Directory, ComputeDevice.Cpu))
        {
            var method = new PromptTuningMethod(new PromptTuningConfig { NumVirtualTokens = 3 }, seed: 5);
            method.Attach(lm);
            method.Save(lm, adapterDir);
        }

        var output = Json(LoralabProcess.Run("generate", "--model", model.Directory, "--adapter", adapterDir, "--prompt", "the dog", "--max-new-tokens", "5", "--greedy", "--json"));

        // Reference: the adapter's own forward over the whole sequence so far, argmax of the last position, no KV cache.
        var tokenizer = TokenizerLoader.Load(model.Directory);
        using var reference = PretrainedModel.Load(model.Directory, ComputeDevice.Cpu);
        var adapter = AdapterFiles.Load(reference, adapterDir);
        var ids = tokenizer.Encode("the dog").ToList();
        var expected = new List<int>();
        for (int i = 0; i < 5; i++)
        {
            using var scope = NewDisposeScope();
            int next = (int)adapter.Forward(reference, tensor(ids.Select(id => (long)id).ToArray()).unsqueeze(0))[0, -1].argmax().item<long>();
            if (tokenizer.EosIds.Contains(next)) break;
            ids.Add(next);
            expected.Add(next);
        }
        var generated = output.GetProperty("generated_ids").EnumerateArray().Select(e => e.GetInt32()).Where(id => !tokenizer.EosIds.Contains(id));
        Assert.Equal(expected, generated);
    }

    [Fact]
    public void Sampling_with_the_same_seed_repeats_itself()
    {
        string[] args = ["generate", "--model", model.Directory, "--prompt", "we read", "--max-new-tokens", "8", "--temperature", "1.5", "--top-p", "0.95", "--seed", "3", "--json"];
        Assert.Equal(LoralabProcess.Run(args).StdOut, LoralabProcess.Run(args).StdOut);
    }

    [Fact]
    public void Eval_reports_the_token_weighted_loss_over_the_file()
    {
        string data = Path.Combine(scratch, "eval.jsonl");
        File.WriteAllLines(data, TinyModelFolder.Corpus.Take(3).Select(t => JsonSerializer.Serialize(new { text = t })));

        var output = Json(LoralabProcess.Run("eval", "--model", model.Directory, "--data", data, "--json"));

        var tokenizer = TokenizerLoader.Load(model.Directory);
        int predicted = TinyModelFolder.Corpus.Take(3).Sum(t => tokenizer.Encode(t).Count - 1);
        Assert.Equal(predicted, output.GetProperty("tokens").GetInt64());
        double loss = output.GetProperty("loss").GetDouble();
        Assert.Equal(Math.Exp(loss), output.GetProperty("perplexity").GetDouble(), 6);
        Assert.InRange(loss, 0.5, 20);
    }

    [Fact]
    public void Eval_with_an_adapter_applies_it()
    {
        string adapterDir = Path.Combine(scratch, "adapter");
        using (var lm = PretrainedModel.Load(model.Directory, ComputeDevice.Cpu))
        {
            var config = new LoraConfig { R = 2, LoraAlpha = 4, TargetModules = ["q_proj", "v_proj"] };
            foreach (var a in LoraInjection.Inject(lm, config, "default").Values)
                using (no_grad()) { a.lora_A.normal_(); a.lora_B.normal_(); }
            PeftLoraFiles.Save(lm, "default", config, adapterDir);
        }
        string data = Path.Combine(scratch, "eval.jsonl");
        File.WriteAllText(data, """{"text": "the sun is warm"}""" + "\n");

        double baseLoss = Json(LoralabProcess.Run("eval", "--model", model.Directory, "--data", data, "--json")).GetProperty("loss").GetDouble();
        double adaptedLoss = Json(LoralabProcess.Run("eval", "--model", model.Directory, "--adapter", adapterDir, "--data", data, "--json")).GetProperty("loss").GetDouble();

        Assert.NotEqual(baseLoss, adaptedLoss, 3);
    }

    [Theory]
    [InlineData("missing-folder", "does not exist")]
    [InlineData("bad-config", "architecture 'GPT2LMHeadModel' is not supported")]
    public void Errors_are_one_sentence_on_stderr_with_a_nonzero_exit_and_no_stack_trace(string problem, string expected)
    {
        string dir = Path.Combine(scratch, problem);
        if (problem == "bad-config")
        {
            Directory.CreateDirectory(dir);
            File.Copy(Path.Combine(model.Directory, "tokenizer.json"), Path.Combine(dir, "tokenizer.json"));
            File.WriteAllText(Path.Combine(dir, "config.json"), """{"architectures": ["GPT2LMHeadModel"]}""");
        }

        var r = LoralabProcess.Run("generate", "--model", dir, "--prompt", "hi", "--max-new-tokens", "2");

        Assert.Equal(1, r.ExitCode);
        Assert.Contains(expected, r.StdErr);
        Assert.StartsWith("error: ", r.StdErr);
        Assert.DoesNotContain("   at ", r.StdErr);
        Assert.Equal("", r.StdOut);
    }

    [Fact]
    public void A_malformed_eval_file_names_the_bad_lines()
    {
        string data = Path.Combine(scratch, "bad.jsonl");
        File.WriteAllLines(data, ["""{"text": "ok"}""", "{not json", """{"txt": "x"}"""]);
        var r = LoralabProcess.Run("eval", "--model", model.Directory, "--data", data);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("line 2: invalid JSON", r.StdErr);
        Assert.Contains("line 3: expected an object with a string field \"text\"", r.StdErr);
    }
}
