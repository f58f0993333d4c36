using System.CommandLine;
using LoraLab.Cli;
using LoraLab.Cli.Commands;

var root = new RootCommand("LoRA Lab: load, run, evaluate and fine-tune Hugging Face causal language models.")
{
    CommonOptions.Verbose,
    TokenizeCommand.Create(),
    ChatTemplateCommand.Create(),
    GenerateCommand.Create(),
    EvalCommand.Create(),
    BenchmarkCommand.Create(),
    ScoreCommand.Create(),
    JudgeCommand.Create(),
    TrainCommand.Create(),
    EstimateMemoryCommand.Create(),
    BenchCommand.Create(),
    DemoCommand.Create(),
    AdapterCommand.Create(),
    DownloadCommand.Create(),
    ExportCommand.Create(),
};
return CliRunner.Invoke(root, args);
