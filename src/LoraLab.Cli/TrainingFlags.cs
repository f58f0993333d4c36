using System.CommandLine;
using LoraLab.Engine.Training;

namespace LoraLab.Cli;

/// <summary>The hyper-parameter and data flags of train, read into <see cref="TrainingOptions"/> and <see cref="DataOptions"/>.</summary>
sealed class TrainingFlags
{
    static readonly TrainingOptions Defaults = new();
    static readonly DataOptions DataDefaults = new();
    readonly Option<double> learningRate = new("--learning-rate", "--lr") { DefaultValueFactory = _ => Defaults.LearningRate };
    readonly Option<LearningRateSchedule> schedule = new("--schedule") { Description = "constant, linear or cosine.", DefaultValueFactory = _ => Defaults.Schedule };
    readonly Option<int?> warmupSteps = new("--warmup-steps");
    readonly Option<double> warmupRatio = new("--warmup-ratio");
    readonly Option<int?> maxSteps = new("--max-steps");
    readonly Option<double> epochs = new("--epochs") { DefaultValueFactory = _ => Defaults.Epochs };
    readonly Option<int> batchSize = new("--batch-size") { DefaultValueFactory = _ => Defaults.BatchSize };
    readonly Option<int> accumulation = new("--gradient-accumulation-steps") { DefaultValueFactory = _ => Defaults.GradientAccumulationSteps };
    readonly Option<double?> maxGradNorm = new("--max-grad-norm") { DefaultValueFactory = _ => Defaults.MaxGradNorm };
    readonly Option<double> weightDecay = new("--weight-decay") { DefaultValueFactory = _ => Defaults.WeightDecay };
    readonly Option<long> seed = new("--seed") { DefaultValueFactory = _ => Defaults.Seed };
    readonly Option<int?> evalSteps = new("--eval-steps");
    readonly Option<int?> patience = new("--early-stopping-patience");
    readonly Option<int?> saveSteps = new("--save-steps");
    readonly Option<ComputePrecision> precision = new("--precision") { Description = "float32 (exact), bf16 or fp16.", DefaultValueFactory = _ => Defaults.Precision };
    readonly Option<bool> checkpointing = new("--gradient-checkpointing");
    readonly Option<int> maxLength = new("--max-length") { DefaultValueFactory = _ => DataDefaults.MaxLength };
    readonly Option<bool> pack = new("--pack") { Description = "Pack short examples into full sequences." };
    readonly Option<bool> allTokens = new("--loss-on-all-tokens") { Description = "Learn the prompts too, not only the completions." };
    readonly Option<double> validation = new("--validation-fraction") { Description = "Hold out this share of --data for evaluation." };
    readonly Option<string?> format = new("--format") { Description = "alpaca, chat, sharegpt, prompt_completion or text (default: detected)." };
    readonly Option<string> template = new("--chat-template") { Description = "When the model declares none: chatml, llama3, llama2 or alpaca.", DefaultValueFactory = _ => DataDefaults.ChatTemplate };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { learningRate, schedule, warmupSteps, warmupRatio, maxSteps, epochs, batchSize, accumulation, maxGradNorm, weightDecay, seed,
                     evalSteps, patience, saveSteps, precision, checkpointing, maxLength, pack, allTokens, validation, format, template })
            command.Add(o);
    }

    public TrainingOptions Read(ParseResult p) => new()
    {
        LearningRate = p.GetValue(learningRate),
        Schedule = p.GetValue(schedule),
        WarmupSteps = p.GetValue(warmupSteps),
        WarmupRatio = p.GetValue(warmupRatio),
        MaxSteps = p.GetValue(maxSteps),
        Epochs = p.GetValue(epochs),
        BatchSize = p.GetValue(batchSize),
        GradientAccumulationSteps = p.GetValue(accumulation),
        MaxGradNorm = p.GetValue(maxGradNorm),
        WeightDecay = p.GetValue(weightDecay),
        Seed = p.GetValue(seed),
        EvalSteps = p.GetValue(evalSteps),
        EarlyStoppingPatience = p.GetValue(patience),
        SaveSteps = p.GetValue(saveSteps),
        Precision = p.GetValue(precision),
        GradientCheckpointing = p.GetValue(checkpointing),
    };

    public DataOptions ReadData(ParseResult p) => new()
    {
        MaxLength = p.GetValue(maxLength),
        Pack = p.GetValue(pack),
        LossOnAllTokens = p.GetValue(allTokens),
        ValidationFraction = p.GetValue(validation),
        Format = p.GetValue(format),
        ChatTemplate = p.GetValue(template)!,
    };
}
