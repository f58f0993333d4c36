using System.Text.Json.Nodes;
using LoraLab.Engine.Checkpoints;
using LoraLab.Engine.Tests.Files;

namespace LoraLab.Engine.Tests.Checkpoints;

/// <summary>
/// Hundreds of corrupted safetensors files, made deterministically from one valid file: each is either opened, with
/// every tensor inside the data buffer and loadable, or refused with a <see cref="CheckpointFormatException"/>; none
/// throws anything else or allocates more than a small multiple of its own size.
/// </summary>
public sealed class SafetensorsFuzzTests : IDisposable
{
    const string Header = """
        {"__metadata__":{"format":"pt"},
         "a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},
         "b":{"dtype":"I64","shape":[4],"data_offsets":[24,56]},
         "c":{"dtype":"BF16","shape":[0],"data_offsets":[56,56]},
         "d":{"dtype":"U8","shape":[2,2],"data_offsets":[56,60]}}
        """;

    /// <summary>The header, JSON buffers and error messages of a file this small take well under this.</summary>
    const long AllocationAllowance = 1 << 20;

    readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Every_corrupted_file_is_opened_within_its_bounds_or_refused_with_a_checkpoint_format_error()
    {
        var data = Enumerable.Range(0, 60).Select(i => (byte)(i * 7)).ToArray();
        var valid = HandBuiltSafetensors.Bytes(Header, data);
        var headerMutants = Mutations.OfJson(JsonNode.Parse(Header)!, count: 300, seed: 11)
            .Select(m => new Mutant(m.Name, HandBuiltSafetensors.Bytes(Mutations.Text(m.Json), data)));
        var mutants = Mutations.OfBytes(valid, count: 300, seed: 7).Concat(headerMutants).Concat(LengthFieldMutants(valid)).ToList();
        string path = _folder.File("fuzz.safetensors");

        var outcome = Fuzz.Run(mutants, path, () =>
        {
            using var file = SafetensorsFile.Open(path);
            foreach (var name in file.Tensors.Keys) file.Load(name).Dispose();
            return EntriesOutsideTheFile(file, new FileInfo(path).Length).ToList();
        }, e => e is CheckpointFormatException, AllocationAllowance);

        Assert.Empty(outcome.Problems);
        Assert.True(mutants.Count >= 600, $"only {mutants.Count} cases");
        // Both outcomes occur, so the mutants reach past the first check.
        Assert.True(outcome.Accepted >= 20 && outcome.Refused >= 300, outcome.ToString());
    }

    /// <summary>The 8-byte header length set to values a reader must not allocate from.</summary>
    static IEnumerable<Mutant> LengthFieldMutants(byte[] valid)
    {
        ulong[] lengths = [0, 1, 7, (ulong)valid.Length - 8, (ulong)valid.Length, 100_000_001, uint.MaxValue, long.MaxValue, ulong.MaxValue, 1UL << 63];
        foreach (ulong length in lengths)
        {
            var bytes = (byte[])valid.Clone();
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes, length);
            yield return new Mutant($"header length {length}", bytes);
        }
    }

    /// <summary>The file's own bytes are the independent bound: every entry's dtype × shape matches its span, inside the file.</summary>
    static IEnumerable<string> EntriesOutsideTheFile(SafetensorsFile file, long fileBytes)
    {
        foreach (var entry in file.Tensors.Values)
        {
            long elements = entry.Shape.Aggregate(1L, (product, dimension) => product * dimension);
            if (entry.Begin < 0 || entry.End > fileBytes || entry.End - entry.Begin != elements * entry.DType.ElementSize())
                yield return $"tensor '{entry.Name}' {entry.DType} [{string.Join(",", entry.Shape)}] at [{entry.Begin}, {entry.End}) was accepted";
        }
    }
}
