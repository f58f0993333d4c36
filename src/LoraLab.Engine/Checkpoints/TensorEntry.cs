namespace LoraLab.Engine.Checkpoints;

/// <summary>
/// One tensor as declared in a safetensors header. <see cref="Begin"/> and <see cref="End"/> are byte offsets into the
/// data buffer that follows the header, as written in the file; <see cref="File"/> is the full path of the file holding it.
/// </summary>
public sealed record TensorEntry(string Name, SafetensorsDType DType, long[] Shape, long Begin, long End, string File)
{
    internal long ByteSize => End - Begin;
}
