namespace LoraLab.Engine.Checkpoints;

/// <summary>A checkpoint file that cannot be trusted as written. The message names the file and, where one is at fault, the tensor.</summary>
public sealed class CheckpointFormatException : Exception
{
    public CheckpointFormatException(string file, string? tensor, string problem, Exception? inner = null)
        : base(tensor is null ? $"{file}: {problem}" : $"{file}: tensor '{tensor}': {problem}", inner)
    {
        File = file;
        Tensor = tensor;
    }

    public string File { get; }

    public string? Tensor { get; }
}
