using LoraLab.Engine.Files;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Engine.Tests.Tokenization;

namespace LoraLab.Engine.Tests.Files;

public sealed class UntrustedFileTests : IDisposable
{
    readonly TempModelDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>A sparse file: its length is over the limit, its blocks are not written.</summary>
    string Oversized(string fileName)
    {
        string path = Path.Combine(_folder.Path, fileName);
        using var file = File.Create(path);
        file.SetLength(UntrustedFile.MaxConfigBytes + 1);
        return path;
    }

    [Fact]
    public void A_config_json_over_the_size_limit_is_refused_unread_with_a_model_config_error()
    {
        string path = Oversized("config.json");
        long before = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<ModelConfigException>(() => ModelConfig.Load(_folder.Path));

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Equal($"{path}: the file has {UntrustedFile.MaxConfigBytes + 1:N0} bytes, more than the {UntrustedFile.MaxConfigBytes:N0} bytes allowed for it.", error.Message);
    }

    [Fact]
    public void An_adapter_config_json_over_the_size_limit_is_refused_unread_with_a_peft_config_error()
    {
        string path = Oversized("adapter_config.json");

        var error = Assert.Throws<PeftConfigException>(() => LoraConfig.Load(_folder.Path));

        Assert.StartsWith($"{path}: the file has {UntrustedFile.MaxConfigBytes + 1:N0} bytes", error.Message);
    }

    [Fact]
    public void A_config_json_nested_deeper_than_the_limit_is_refused_as_invalid_json()
    {
        string path = _folder.Write("config.json", $$"""{"architectures": {{new string('[', 100)}}{{new string(']', 100)}}}""");

        var error = Assert.Throws<ModelConfigException>(() => ModelConfig.Load(_folder.Path));

        Assert.StartsWith($"{path} is not valid JSON", error.Message);
        Assert.Contains("depth", error.Message);
    }

    [Fact]
    public void A_config_json_naming_a_field_twice_is_refused_as_invalid_json()
    {
        string path = _folder.Write("config.json", """{"architectures": ["LlamaForCausalLM"], "hidden_size": 32, "hidden_size": 64}""");

        var error = Assert.Throws<ModelConfigException>(() => ModelConfig.Load(_folder.Path));

        Assert.StartsWith($"{path} is not valid JSON", error.Message);
        Assert.Contains("hidden_size", error.Message);
    }

    [Fact]
    public void An_adapter_config_json_that_is_not_utf8_is_refused_naming_the_file()
    {
        string path = Path.Combine(_folder.Path, "adapter_config.json");
        File.WriteAllBytes(path, [.. "{\"peft_type\": \"LO"u8.ToArray(), 0xFF, .. "RA\"}"u8.ToArray()]);

        var error = Assert.Throws<PeftConfigException>(() => LoraConfig.Load(_folder.Path));

        Assert.Equal($"{path}: the text is not valid UTF-8.", error.Message);
    }

    [Fact]
    public void A_file_within_the_limit_is_read_whole()
    {
        string path = _folder.Write("small.json", "{\"a\": 1}");

        var bytes = UntrustedFile.ReadAllBytes(path, maxBytes: 8, problem => new InvalidDataException(problem));

        Assert.Equal("{\"a\": 1}"u8.ToArray(), bytes);
    }
}
