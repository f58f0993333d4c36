namespace LoraLab.Cli.Tests;

/// <summary><c>loralab export gguf</c> and <c>export gguf-adapter</c> on the shared Hugging Face fixtures.</summary>
public sealed class ExportCommandTests : IDisposable
{
    static readonly string Fixtures = Path.GetFullPath(Path.Combine(FindRoot(), "..", "shared", "fixtures", "hf"));
    readonly string scratch = Directory.CreateTempSubdirectory("loralab-export-cli-").FullName;

    public void Dispose() => Directory.Delete(scratch, recursive: true);

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Web.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("No Web.sln above the test binaries.");
    }

    [Fact]
    public void Export_gguf_with_an_adapter_writes_a_gguf_file_and_a_modelfile_and_prints_both_paths()
    {
        string output = Path.Combine(scratch, "qwen2-lora.q8_0.gguf");

        var run = LoralabProcess.Run("export", "gguf", "--model", Path.Combine(Fixtures, "qwen2"), "--adapter", Path.Combine(Fixtures, "qwen2-lora_qv"), "--type", "q8_0", "--out", output);

        Assert.True(run.ExitCode == 0, run.StdErr);
        Assert.Equal([output, Path.ChangeExtension(output, ".Modelfile")], run.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("GGUF"u8.ToArray(), File.ReadAllBytes(output)[..4]);
        Assert.StartsWith("FROM ./qwen2-lora.q8_0.gguf\n", File.ReadAllText(Path.ChangeExtension(output, ".Modelfile")));
    }

    [Fact]
    public void Export_gguf_adapter_with_zip_bundles_the_adapter_file_and_its_modelfile()
    {
        string output = Path.Combine(scratch, "llama-lora.gguf");

        var run = LoralabProcess.Run("export", "gguf-adapter", "--model", Path.Combine(Fixtures, "llama"), "--adapter", Path.Combine(Fixtures, "llama-lora_qv"), "--out", output, "--base-gguf", "llama.f16.gguf", "--zip");

        Assert.True(run.ExitCode == 0, run.StdErr);
        using var zip = System.IO.Compression.ZipFile.OpenRead(Path.ChangeExtension(output, ".zip"));
        Assert.Equal(["llama-lora.gguf", "llama-lora.Modelfile"], zip.Entries.Select(e => e.FullName));
        Assert.Equal("FROM ./llama.f16.gguf\nADAPTER ./llama-lora.gguf\nPARAMETER stop \"<|endoftext|>\"\n", File.ReadAllText(Path.ChangeExtension(output, ".Modelfile")));
    }

    [Fact]
    public void An_unknown_type_is_one_sentence_naming_it_and_writes_nothing()
    {
        var run = LoralabProcess.Run("export", "gguf", "--model", Path.Combine(Fixtures, "llama"), "--type", "q3_k", "--out", Path.Combine(scratch, "x.gguf"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("'q3_k' is not supported", run.StdErr);
        Assert.Empty(Directory.GetFiles(scratch));
    }

    [Fact]
    public void Export_gguf_adapter_refuses_dora_and_says_to_merge_it_instead()
    {
        var run = LoralabProcess.Run("export", "gguf-adapter", "--model", Path.Combine(Fixtures, "llama"), "--adapter", Path.Combine(Fixtures, "llama-dora_qkvo"), "--out", Path.Combine(scratch, "d.gguf"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("DoRA", run.StdErr);
        Assert.Contains("export gguf --adapter", run.StdErr);
    }
}
