using LoraLab.Engine.Checkpoints;
using static TorchSharp.torch;

namespace LoraLab.Engine.Models;

/// <summary>
/// Strict weight loading, as nanoGPT does it: compare the keys and shapes the module expects with the checkpoint's,
/// report every missing, unexpected and mis-shaped key together, and only then copy.
/// </summary>
public static class WeightLoading
{
    /// <param name="ignorable">Checkpoint keys that may be present without a counterpart (e.g. an old rotary buffer).</param>
    public static void LoadStrict(nn.Module module, CheckpointReader reader, string source, Func<string, bool>? ignorable = null)
    {
        var expected = module.state_dict();
        var available = reader.Tensors;
        var missing = expected.Keys.Where(k => !available.ContainsKey(k)).ToList();
        var unexpected = available.Keys.Where(k => !expected.ContainsKey(k) && ignorable?.Invoke(k) != true).Order(StringComparer.Ordinal).ToList();
        var misShaped = expected.Where(kv => available.TryGetValue(kv.Key, out var entry) && !entry.Shape.SequenceEqual(kv.Value.shape))
            .Select(kv => $"{kv.Key}: checkpoint {Shape(available[kv.Key].Shape)}, model {Shape(kv.Value.shape)}").ToList();
        if (missing.Count + unexpected.Count + misShaped.Count > 0)
            throw new WeightLoadException(source, missing, unexpected, misShaped);

        using var noGrad = no_grad();
        foreach (var (name, target) in expected)
        {
            using var scope = NewDisposeScope();
            target.copy_(reader.Load(name, target.device, target.dtype));
        }
    }

    public static string Shape(long[] shape) => $"[{string.Join(", ", shape)}]";
}

public sealed class WeightLoadException(string source, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> misShaped)
    : Exception(Describe(source, missing, unexpected, misShaped))
{
    public IReadOnlyList<string> Missing { get; } = missing;
    public IReadOnlyList<string> Unexpected { get; } = unexpected;
    public IReadOnlyList<string> MisShaped { get; } = misShaped;

    static string Describe(string source, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> misShaped)
    {
        var parts = new List<string>();
        if (missing.Count > 0) parts.Add($"{missing.Count} missing ({Abbreviate(missing)})");
        if (unexpected.Count > 0) parts.Add($"{unexpected.Count} unexpected ({Abbreviate(unexpected)})");
        if (misShaped.Count > 0) parts.Add($"{misShaped.Count} with the wrong shape ({Abbreviate(misShaped)})");
        return $"The weights in {source} do not fit the model: {string.Join("; ", parts)}.";
    }

    static string Abbreviate(IReadOnlyList<string> items) =>
        items.Count <= 8 ? string.Join(", ", items) : string.Join(", ", items.Take(8)) + $", … and {items.Count - 8} more";
}
