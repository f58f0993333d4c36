namespace LoraLab.Engine.Tests.Tokenization;

/// <summary>A scratch model folder, deleted at the end of the test.</summary>
internal sealed class TempModelDirectory : IDisposable
{
    public TempModelDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"loralab-tok-{Guid.NewGuid():N}");

    public string Write(string fileName, string content)
    {
        string file = System.IO.Path.Combine(Path, fileName);
        File.WriteAllText(file, content);
        return file;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
