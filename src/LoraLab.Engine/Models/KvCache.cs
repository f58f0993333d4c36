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
        keys[layer] = EnsureCapacity(keys[layer], k.shape[0], k.shape[1], k.shape[3], k.dtype, k.device, newLength);
        values[layer] = EnsureCapacity(values[layer], v.shape[0], v.shape[1], v.shape[3], v.dtype, v.device, newLength);
        keys[layer]!.narrow(2, Length, k.shape[2]).copy_(k);
        values[layer]!.narrow(2, Length, v.shape[2]).copy_(v);
        return (keys[layer]!.narrow(2, 0, newLength), values[layer]!.narrow(2, 0, newLength));
    }

    /// <summary>
    /// The layer's whole (B, nKV, capacity, hD) key and value buffers, grown to hold <paramref name="tokens"/> more, for
    /// <see cref="FusedDecodeLayer"/> to write its new entries at column <see cref="Length"/> in place (no views, no copy).
    /// </summary>
    internal (Tensor Keys, Tensor Values) Reserve(int layer, long rows, long kvHeads, long headDim, ScalarType dtype, Device device, long tokens)
    {
        if (keys[layer] is { } existing && existing.shape[0] != rows)
            throw new InvalidOperationException($"The cache holds {existing.shape[0]} rows, but this batch has {rows}.");
        keys[layer] = EnsureCapacity(keys[layer], rows, kvHeads, headDim, dtype, device, Length + tokens);
        values[layer] = EnsureCapacity(values[layer], rows, kvHeads, headDim, dtype, device, Length + tokens);
        return (keys[layer]!, values[layer]!);
    }

    /// <summary>Called once per forward pass, after every layer has appended its <paramref name="tokens"/> new entries.</summary>
    public void Advance(long tokens) => Length += tokens;

    /// <summary>Rows in the cache (0 before anything was appended).</summary>
    public long Rows => keys.FirstOrDefault()?.shape[0] ?? 0;

    /// <summary>
    /// Adds the rows of <paramref name="other"/> after this cache's rows and takes over its entries (then disposes it).
    /// Both end at the same column: the shorter side is shifted right and its new leading columns are zeros, which the
    /// caller masks as padding. Returns how many columns this cache's rows and the other's rows were shifted by.
    /// </summary>
    public (long MineShift, long TheirsShift) AppendRows(KvCache other)
    {
        if (other.keys.Length != keys.Length) throw new ArgumentException($"A cache of {other.keys.Length} layers cannot join one of {keys.Length}.", nameof(other));
        long length = Math.Max(Length, other.Length), mineShift = length - Length, theirsShift = length - other.Length;
        for (int layer = 0; layer < keys.Length; layer++)
        {
            keys[layer] = StackRows(keys[layer], Length, mineShift, other.keys[layer]!, other.Length, theirsShift, length);
            values[layer] = StackRows(values[layer], Length, mineShift, other.values[layer]!, other.Length, theirsShift, length);
        }
        Length = length;
        other.Dispose();
        return (mineShift, theirsShift);
    }

    /// <summary>Keeps only <paramref name="rows"/> (in that order) and drops the first <paramref name="leadingColumns"/> columns of every row.</summary>
    public void KeepRows(IReadOnlyList<long> rows, long leadingColumns = 0)
    {
        if (leadingColumns < 0 || leadingColumns > Length) throw new ArgumentOutOfRangeException(nameof(leadingColumns), leadingColumns, $"Between 0 and the cache length {Length}.");
        if (rows.Count == 0)
        {
            Dispose();
            Length = 0;
            return;
        }
        using var scope = NewDisposeScope();
        var index = tensor(rows.ToArray(), ScalarType.Int64, keys[0]!.device);   // (B')
        long kept = Length - leadingColumns;
        for (int layer = 0; layer < keys.Length; layer++)
        {
            keys[layer] = SelectRows(keys[layer]!, index, leadingColumns, kept);
            values[layer] = SelectRows(values[layer]!, index, leadingColumns, kept);
        }
        Length = kept;
    }

    static Tensor SelectRows(Tensor buffer, Tensor index, long from, long kept)
    {
        var picked = zeros([index.shape[0], buffer.shape[1], buffer.shape[2], buffer.shape[3]], buffer.dtype, buffer.device).DetachFromDisposeScope();   // (B', nKV, capacity, hD)
        picked.narrow(2, 0, kept).copy_(buffer.index_select(0, index).narrow(2, from, kept));
        buffer.Dispose();
        return picked;
    }

    static Tensor StackRows(Tensor? mine, long mineLength, long mineShift, Tensor theirs, long theirsLength, long theirsShift, long length)
    {
        long rows = mine?.shape[0] ?? 0;
        long capacity = Math.Max(Math.Max(64, length * 2), mine?.shape[2] ?? 0);
        var stacked = zeros([rows + theirs.shape[0], theirs.shape[1], capacity, theirs.shape[3]], theirs.dtype, theirs.device).DetachFromDisposeScope();   // (B + B', nKV, capacity, hD)
        if (mine is not null && mineLength > 0) stacked.narrow(0, 0, rows).narrow(2, mineShift, mineLength).copy_(mine.narrow(2, 0, mineLength));
        if (theirsLength > 0) stacked.narrow(0, rows, theirs.shape[0]).narrow(2, theirsShift, theirsLength).copy_(theirs.narrow(2, 0, theirsLength));
        mine?.Dispose();
        return stacked;
    }

    Tensor EnsureCapacity(Tensor? buffer, long rows, long kvHeads, long headDim, ScalarType dtype, Device device, long needed)
    {
        if (buffer is not null && buffer.shape[2] >= needed) return buffer;
        long capacity = Math.Max(needed, Math.Max(64, (buffer?.shape[2] ?? 0) * 2));
        var grown = zeros([rows, kvHeads, capacity, headDim], dtype, device).DetachFromDisposeScope();
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
