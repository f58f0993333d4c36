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
            Model = TinyModels.Named("llama-gqa-tied"), Method = new MethodOptions { Method = method, R = 4 }, BatchSize = 2, SequenceLength = 16, Steps = 2,
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

    [Theory]
    [InlineData("qlora", 0.50, 0.53)]
    [InlineData("prompt", 4.0, 4.0)]
    [InlineData("prefix", 4.0, 4.0)]
    [InlineData("ia3", 4.0, 4.0)]
    [InlineData("adapter", 4.0, 4.0)]
    [InlineData("full", 4.0, 4.0)]
    public void Every_method_can_be_benchmarked_and_reports_its_base_bytes_per_parameter(string method, double minBytes, double maxBytes)
    {
        var options = new TrainingBenchmarkOptions
        {
            Model = TinyModels.Config("LlamaForCausalLM", j => { j["hidden_size"] = 128; j["intermediate_size"] = 256; }),
            Method = new MethodOptions { Method = method, R = 4, NumVirtualTokens = 4, BottleneckSize = 8 },
            BatchSize = 2, SequenceLength = 16, Steps = 1,
        };

        var result = TrainingBenchmark.Run(options);

        Assert.Equal(method, result.Method);
        Assert.InRange(result.BaseBytesPerParameter, minBytes, maxBytes);
        Assert.True(result.TrainableParameters > 0 && double.IsFinite(result.FinalLoss));
    }

    [Fact]
    public void Full_fine_tuning_in_bf16_is_refused_with_the_reason()
    {
        var e = Assert.Throws<ArgumentException>(() => TrainingBenchmark.Run(new TrainingBenchmarkOptions
        {
            Method = new MethodOptions { Method = "full" }, Precision = ComputePrecision.Bf16,
        }));

        Assert.Contains("full fine-tuning trains the base weights", e.Message);
    }
}
