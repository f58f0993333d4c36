using LoraLab.Engine.Demo;
using LoraLab.Engine.Devices;

namespace LoraLab.Engine.Tests.Demo;

/// <summary>
/// The demo checked into src/LoraLab.Demo keeps its promise: a model of at most 20 MB that answers no demo task by
/// itself, and one bundled adapter per task that answers its held-out examples.
/// </summary>
public sealed class BundledDemoTests
{
    static readonly string Demo = Path.Combine(RepositoryFolder.Root, "src", "LoraLab.Demo");

    [Fact]
    public void The_bundled_model_folder_fits_in_twenty_megabytes()
    {
        long bytes = new DirectoryInfo(Path.Combine(Demo, "model")).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        Assert.InRange(bytes, 1, 20L * 1024 * 1024);
    }

    [Theory]
    [InlineData("extract-name")]
    [InlineData("extract-number")]
    [InlineData("pirate-style")]
    public void A_task_goes_from_under_ten_percent_exact_match_on_the_base_model_to_at_least_eighty_with_its_bundled_adapter(string task)
    {
        var heldOut = DemoTaskFile.Read(Path.Combine(Demo, "datasets", $"{task}-eval.jsonl"));
        string model = Path.Combine(Demo, "model");

        ExactMatchResult Measure(string? adapter)
        {
            using var lm = LanguageModel.Open(model, ComputeDevice.Cpu, adapter);
            return ExactMatch.Evaluate(lm, heldOut);
        }

        Assert.Equal(100, heldOut.Count);
        Assert.InRange(Measure(null).Accuracy, 0, 0.0999);
        Assert.InRange(Measure(Path.Combine(Demo, "adapters", task)).Accuracy, 0.80, 1);
    }
}
