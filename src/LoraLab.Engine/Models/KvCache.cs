using static TorchSharp.torch;

namespace LoraLab.Engine.Models;

/// <summary>
/// Keys and values of every layer, preallocated and grown by doubling so that a decode step writes one slot in place
/// instead of concatenating the whole history (decode cost per token stays flat as the context grows).
/// The cache owns its tensors: they live outside any dispose scope until <see cref="Dispose"/>.
/// </summary>
public sealed class KvCache : IDisposable
{
    readonly Tensor?[] keys, values;   // per layer (B, nKV, capacity, hD)

    public KvCache(int layers)
    {
        keys = new Tensor?[layers];
        values = new Tensor?[layers];
    }

    /// <summary>Tokens already cached (the past length seen by the next forward pass).</summary>
    public long Length { get; private set; }

    /// <summary>Writes the new (B, nKV, T, hD) keys and values after the cached ones; returns views of all Length + T of them.</summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor k, Tensor v)
    {
        long newLength = Length + k.shape[2];
        keys[layer] = EnsureCapacity(keys[layer], k, newLength);
        values[layer] = EnsureCapacity(values[layer], v, newLength);
        keys[layer]!.narrow(2, Length, k.shape[2]).copy_(k);
        values[layer]!.narrow(2, Length, v.shape[2]).copy_(v);
        return (keys[layer]!.narrow(2, 0, newLength), values[layer]!.narrow(2, 0, newLength));
    }

    /// <summary>Called once per forward pass, after every layer has appended its <paramref name="tokens"/> new entries.</summary>
    public void Advance(long tokens) => Length += tokens;

    Tensor EnsureCapacity(Tensor? buffer, Tensor like, long needed)
    {
        if (buffer is not null && buffer.shape[2] >= needed) return buffer;
        long capacity = Math.Max(needed, Math.Max(64, (buffer?.shape[2] ?? 0) * 2));
        var grown = zeros([like.shape[0], like.shape[1], capacity, like.shape[3]], like.dtype, like.device).DetachFromDisposeScope();
        if (buffer is not null)
        {
            grown.narrow(2, 0, Length).copy_(buffer.narrow(2, 0, Length));
            buffer.Dispose();
        }
        return grown;
    }

    public void Dispose()
    {
        foreach (var t in keys.Concat(values)) t?.Dispose();
        Array.Clear(keys);
        Array.Clear(values);
    }
}
