namespace LoraLab.Engine.Export.Gguf;

/// <summary>
/// A tensor to be written: its GGUF name, its shape in PyTorch order (outermost first; the file stores it reversed,
/// as ggml's <c>ne</c>), its element type, and a function that produces its bytes only when the writer reaches it,
/// so that one converted tensor at a time is held in memory.
/// </summary>
public sealed record GgufTensor(string Name, long[] Shape, GgmlType Type, Func<byte[]> Data)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
    public long ByteCount => Type.ByteCount(ElementCount);
}
