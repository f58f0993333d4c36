using System.CommandLine;

namespace LoraLab.Cli;

/// <summary>
/// Runs the parsed command; any failure becomes one sentence on stderr (wrong settings one per field) and exit code 1
/// (a stack trace only with --verbose).
/// </summary>
static class CliRunner
{
    public static int Invoke(RootCommand root, string[] args)
    {
        var parsed = root.Parse(args);
        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (InvalidSettingsException e)
        {
            foreach (string problem in e.Problems) Console.Error.WriteLine($"error: {problem}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("error: cancelled.");
            return 130;
        }
        catch (Exception e)
        {
            var inner = e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerException! : e;
            Console.Error.WriteLine($"error: {inner.Message}");
            if (parsed.GetValue(CommonOptions.Verbose)) Console.Error.WriteLine(inner);
            return 1;
        }
    }
}
