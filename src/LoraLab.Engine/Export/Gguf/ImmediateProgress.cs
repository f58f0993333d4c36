namespace LoraLab.Engine.Export.Gguf;

/// <summary>Reports on the calling thread, in order: <see cref="Progress{T}"/> would post to the thread pool.</summary>
internal sealed class ImmediateProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
