using System.CommandLine;
using LoraLab.Engine.Export.Gguf;

namespace LoraLab.Cli.Commands;

/// <summary>
/// <c>loralab export gguf --model DIR [--adapter DIR] --type T --out FILE.gguf [--zip]</c>: one GGUF file for llama.cpp, Ollama
/// and LM Studio, the adapter merged in; <c>loralab export gguf-adapter --model DIR --adapter DIR --out FILE.gguf [--zip]</c>:
/// a LoRA adapter as a llama.cpp adapter file. Each writes an Ollama Modelfile beside the file.
/// </summary>
static class ExportCommand
{
    public static Command Create() => new("export", "Export a model or adapter for other runtimes.") { Gguf(), GgufAdapter() };

    static Command Gguf()
    {
        var model = CommonOptions.Model();
        var adapter = new Option<string?>("--adapter") { Description = "A LoRA, DoRA or IA3 adapter folder to merge into the weights first." };
        var type = new Option<string>("--type") { Description = $"Tensor type: {string.Join(", ", GgufFileTypes.Names)}.", DefaultValueFactory = _ => "f16" };
        var output = new Option<string>("--out") { Description = "The .gguf file to write (a .Modelfile is written beside it).", Required = true };
        var zip = Zip();
        var command = new Command("gguf", "Write the model (with an adapter merged) as a GGUF file for llama.cpp, Ollama and LM Studio.") { model, adapter, type, output, zip };
        command.SetAction((parse, cancellation) =>
        {
            var fileType = GgufFileTypes.Parse(parse.GetValue(type)!);
            string path = Path.GetFullPath(parse.GetValue(output)!);
            Run(progress => GgufModelExporter.Export(parse.GetValue(model)!, parse.GetValue(adapter), fileType, path, progress, cancellation));
            PrintAndZip(path, parse.GetValue(zip));
            return Task.FromResult(0);
        });
        return command;
    }

    static Command GgufAdapter()
    {
        var model = CommonOptions.Model();
        var adapter = new Option<string>("--adapter") { Description = "A PEFT LoRA adapter folder (not DoRA).", Required = true };
        var output = new Option<string>("--out") { Description = "The adapter .gguf file to write (a .Modelfile is written beside it).", Required = true };
        var baseFile = new Option<string?>("--base-gguf") { Description = "The base model's GGUF file name for the Modelfile's FROM (default: <model folder>.gguf)." };
        var zip = Zip();
        var command = new Command("gguf-adapter", "Write a LoRA adapter as a llama.cpp/Ollama adapter GGUF file.") { model, adapter, output, baseFile, zip };
        command.SetAction((parse, cancellation) =>
        {
            string path = Path.GetFullPath(parse.GetValue(output)!);
            Run(progress => GgufAdapterExporter.Export(parse.GetValue(model)!, parse.GetValue(adapter)!, path, parse.GetValue(baseFile), progress, cancellation));
            PrintAndZip(path, parse.GetValue(zip));
            return Task.FromResult(0);
        });
        return command;
    }

    static Option<bool> Zip() => new("--zip") { Description = "Also write FILE.zip holding the .gguf and its .Modelfile." };

    static void PrintAndZip(string path, bool zip)
    {
        string modelfile = OllamaModelfile.PathFor(path);
        Console.WriteLine(path);
        Console.WriteLine(modelfile);
        if (!zip) return;
        string bundle = Path.ChangeExtension(path, ".zip");
        ExportBundle.Zip(bundle, [path, modelfile]);
        Console.WriteLine(bundle);
    }

    /// <summary>Stages on stderr as they start, then a bar over the tensors written.</summary>
    static void Run(Action<IProgress<GgufExportProgress>> export)
    {
        ConsoleProgress? bar = null;
        try
        {
            export(new Reporter(p =>
            {
                if (p.TensorCount == 0) { Console.Error.WriteLine(p.Stage); return; }
                bar ??= new ConsoleProgress("gguf", p.TensorCount, enabled: true);
                bar.Report(p.TensorsWritten, "tensors");
            }));
            bar?.Finish();
        }
        finally
        {
            bar?.Dispose();
        }
    }

    sealed class Reporter(Action<GgufExportProgress> report) : IProgress<GgufExportProgress>
    {
        public void Report(GgufExportProgress value) => report(value);
    }
}
