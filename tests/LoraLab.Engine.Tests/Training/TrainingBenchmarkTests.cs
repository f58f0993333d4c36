using System.Text.Json.Nodes;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Tests.Models;
using LoraLab.Engine.Training;

namespace LoraLab.Engine.Tests.Training;

[Collection(SerialCollection.Name)]
public class TrainingBenchmarkTests
{
    [Theory]
    [InlineData("lora", "float32", false)]
    [InlineData("dora", "bf16", true)]
    public void A_tiny_benchmark_reports_speed_memory_and_the_estimate_in_snake_case_json(string method, string precision, bool checkpointing)
    {
        var options = new TrainingBenchmarkOptions
        {
            Model = TinyModels.Named("llama-gqa-tied"), Method = method, Rank = 4, BatchSize = 2, SequenceLength = 16, Steps = 2,
            Precision = Enum.Parse<ComputePrecision>(precision, ignoreCase: true), GradientCheckpointing = checkpointing,
        };

        var result = TrainingBenchmark.Run(options);
        var json = JsonNode.Parse(result.ToJson())!;

        using var lm = TinyModels.Create(options.Model);
        var reference = options.CreateMethod();
        reference.Attach(lm);
        var (trainable, total, _) = PeftMethod.Count(lm, reference);
        Assert.Equal((method, precision, checkpointing), (json["method"]!.GetValue<string>(), json["precision"]!.GetValue<string>(), json["gradient_checkpointing"]!.GetValue<bool>()));
        Assert.Equal((trainable, total - trainable), (json["trainable_parameters"]!.GetValue<long>(), json["parameters"]!.GetValue<long>()));
        Assert.Equal(precision == "bf16" ? 2.0 : 4.0, json["base_bytes_per_parameter"]!.GetValue<double>());
        double stepSeconds = json["step_seconds"]!.GetValue<double>();
        Assert.Equal(2 * 16 / stepSeconds, json["tokens_per_second"]!.GetValue<double>(), 6);
        Assert.True(json["peak_resident_bytes"]!.GetValue<long>() > 0);
        Assert.True(json["estimate"]!["activations"]!.GetValue<long>() > 0);
        Assert.True(double.IsFinite(json["final_loss"]!.GetValue<double>()));
        Assert.Contains(FormattableString.Invariant($"throughput            {result.TokensPerSecond:F1} tokens/s"), result.ToText());
    }

    [Fact]
    public void An_unknown_method_is_refused_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() => TrainingBenchmark.Run(new TrainingBenchmarkOptions { Method = "prefix" }));

        Assert.Equal("method 'prefix' has no benchmark; use lora or dora.", e.Message);
    }
}
