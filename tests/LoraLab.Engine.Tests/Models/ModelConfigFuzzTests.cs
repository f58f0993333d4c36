using System.Text.Json.Nodes;
using LoraLab.Engine.Models;
using LoraLab.Engine.Tests.Files;

namespace LoraLab.Engine.Tests.Models;

/// <summary>
/// Hundreds of corrupted config.json files (a model folder, or a Hub repository's config read before any weight): each
/// is read, or refused with a <see cref="ModelConfigException"/> naming the file; none throws anything else.
/// </summary>
public sealed class ModelConfigFuzzTests : IDisposable
{
    /// <summary>The JSON and error messages of a file this small take well under this.</summary>
    const long AllocationAllowance = 1 << 20;

    readonly string _folder = Directory.CreateTempSubdirectory("loralab-config-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("llama3-rope-scaling", 41)]
    [InlineData("qwen3-qk-norm-head-dim", 42)]
    public void Every_corrupted_config_json_is_read_or_refused_naming_the_file(string family, int seed)
    {
        var valid = TinyModels.Named(family).ToJson();
        valid["eos_token_id"] = new JsonArray(1, 2);
        var mutants = Mutations.OfJson(valid, count: 300, seed).Select(m => new Mutant(m.Name, Mutations.Utf8(m.Json)))
            .Concat(Mutations.OfBytes(Mutations.Utf8(valid), count: 150, seed + 100));
        string path = Path.Combine(_folder, "config.json");

        var outcome = Fuzz.Run(mutants, path, () =>
        {
            var config = ModelConfig.Load(_folder);
            return config.HeadDim > 0 && config.NumKeyValueHeads > 0 ? [] : [$"head_dim {config.HeadDim} with {config.NumKeyValueHeads} key/value heads was accepted"];
        }, e => e is ModelConfigException, AllocationAllowance);

        Assert.Empty(outcome.Problems);
        Assert.True(outcome.Accepted >= 20 && outcome.Refused >= 100, outcome.ToString());
    }
}
