using LoraLab.Engine.Checkpoints;
using TorchSharp;

namespace LoraLab.Engine.Tests.Checkpoints;

public sealed class AtomicWriteTests : IDisposable
{
    readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_write_failing_midway_leaves_the_previous_file_intact_and_no_temporary_behind()
    {
        string path = _folder.File("model.safetensors");
        File.WriteAllText(path, "previous");

        Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[1024]);
            throw new IOException("No space left on device");
        }));

        Assert.Equal("previous", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_folder.Path));
    }

    [Fact]
    public void A_successful_write_replaces_the_file_and_leaves_no_temporary_behind()
    {
        string path = _folder.File("model.safetensors");
        File.WriteAllText(path, "previous");

        AtomicFile.Write(path, stream => stream.Write("next"u8));

        Assert.Equal("next", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_folder.Path));
    }

    [Fact]
    public void A_tensor_safetensors_cannot_store_is_refused_before_any_file_is_created()
    {
        using var complex = torch.zeros([2], dtype: torch.ScalarType.ComplexFloat32);
        using var fine = torch.zeros(2);
        string path = _folder.File("model.safetensors");

        var error = Assert.Throws<ArgumentException>(() => SafetensorsWriter.Write(path, [new("fine", fine), new("z", complex)]));

        Assert.Contains("'z'", error.Message);
        Assert.Contains("ComplexFloat32", error.Message);
        Assert.Empty(Directory.GetFiles(_folder.Path));
    }

    [Fact]
    public void A_repeated_tensor_name_is_refused()
    {
        using var a = torch.zeros(2);

        var error = Assert.Throws<ArgumentException>(() => SafetensorsWriter.WriteSharded(_folder.Path, [new("w", a), new("w", a)], maxShardBytes: 8));

        Assert.Contains("'w'", error.Message);
        Assert.Empty(Directory.GetFiles(_folder.Path));
    }
}
