using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LoraLab.Engine.Tests.Files;

/// <summary>One corrupted input of a fuzz test, named by how it was made so a failure can be reproduced.</summary>
internal sealed record Mutant(string Name, byte[] Bytes)
{
    public override string ToString() => Name;
}

/// <summary>
/// Deterministic corruptions of a valid file for fuzz tests: the same seed gives the same mutants on every run.
/// Byte mutants break the syntax (bit flips, truncations, deleted and inserted spans, numbers made huge); JSON
/// mutants keep the syntax valid and put values of the wrong kind or size where the parser expects others.
/// </summary>
internal static class Mutations
{
    /// <summary>Numbers chosen at the edges of the integer types a parser might convert them to.</summary>
    static readonly string[] EdgeNumbers =
    [
        "-1", "0", "2147483647", "2147483648", "-2147483649", "4294967296", "9223372036854775807", "9223372036854775808",
        "18446744073709551615", "18446744073709551616", "1e308", "-1e308", "1e-320", "0.5", "-0", "99999999999999999999999999",
    ];

    public static IEnumerable<Mutant> OfBytes(byte[] original, int count, int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var bytes = (byte[])original.Clone();
            switch (i % 6)
            {
                case 0:
                    int flips = random.Next(1, 9);
                    for (int f = 0; f < flips; f++) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                    yield return new Mutant($"seed {seed} #{i}: {flips} bit flip(s)", bytes);
                    break;
                case 1:
                    int length = random.Next(bytes.Length);
                    yield return new Mutant($"seed {seed} #{i}: truncated to {length} bytes", bytes[..length]);
                    break;
                case 2:
                    int start = random.Next(bytes.Length), end = Math.Min(bytes.Length, start + random.Next(1, 64));
                    yield return new Mutant($"seed {seed} #{i}: bytes {start}..{end} deleted", [.. bytes[..start], .. bytes[end..]]);
                    break;
                case 3:
                    int at = random.Next(bytes.Length + 1);
                    var inserted = new byte[random.Next(1, 32)];
                    random.NextBytes(inserted);
                    yield return new Mutant($"seed {seed} #{i}: {inserted.Length} random bytes inserted at {at}", [.. bytes[..at], .. inserted, .. bytes[at..]]);
                    break;
                case 4:
                    int from = random.Next(bytes.Length), to = Math.Min(bytes.Length, from + random.Next(1, 256));
                    yield return new Mutant($"seed {seed} #{i}: bytes {from}..{to} repeated", [.. bytes[..to], .. bytes[from..]]);
                    break;
                default:
                    yield return NumberReplaced(bytes, random, $"seed {seed} #{i}");
                    break;
            }
        }
    }

    /// <summary>The digits of one number in the text replaced by an edge value; the bytes unchanged when there is no digit.</summary>
    static Mutant NumberReplaced(byte[] bytes, Random random, string name)
    {
        var digits = Enumerable.Range(0, bytes.Length).Where(i => char.IsAsciiDigit((char)bytes[i]) && (i == 0 || !char.IsAsciiDigit((char)bytes[i - 1]))).ToList();
        if (digits.Count == 0) return new Mutant($"{name}: unchanged", bytes);
        int start = digits[random.Next(digits.Count)], end = start;
        while (end < bytes.Length && char.IsAsciiDigit((char)bytes[end])) end++;
        string edge = EdgeNumbers[random.Next(EdgeNumbers.Length)];
        return new Mutant($"{name}: number at {start} set to {edge}", [.. bytes[..start], .. Encoding.ASCII.GetBytes(edge), .. bytes[end..]]);
    }

    /// <summary>Copies of <paramref name="original"/> with one value replaced, one member removed, or random JSON in its place.</summary>
    public static IEnumerable<(string Name, JsonNode? Json)> OfJson(JsonNode original, int count, int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var copy = original.DeepClone();
            var nodes = Descendants(copy).ToList();
            var target = nodes[random.Next(nodes.Count)];
            if (i % 10 == 9)
            {
                yield return ($"seed {seed} #{i}: random JSON document", RandomValue(random, depth: 0));
                continue;
            }
            var replacement = RandomValue(random, depth: 0);
            string path = target.GetPath();
            switch (target.Parent)
            {
                case JsonObject parent when i % 4 == 3:
                    parent.Remove(target.GetPropertyName());
                    yield return ($"seed {seed} #{i}: {path} removed", copy);
                    break;
                case JsonObject parent:
                    parent[target.GetPropertyName()] = replacement;
                    yield return ($"seed {seed} #{i}: {path} = {Describe(replacement)}", copy);
                    break;
                case JsonArray parent:
                    parent[target.GetElementIndex()] = replacement;
                    yield return ($"seed {seed} #{i}: {path} = {Describe(replacement)}", copy);
                    break;
                default:
                    yield return ($"seed {seed} #{i}: document = {Describe(replacement)}", replacement);
                    break;
            }
        }
    }

    /// <summary>Writing allows the deep nesting the mutants carry, which the parsers under test must refuse.</summary>
    static readonly JsonSerializerOptions DeepWriting = new() { MaxDepth = 2048 };

    public static string Text(JsonNode? json) => json?.ToJsonString(DeepWriting) ?? "null";

    public static byte[] Utf8(JsonNode? json) => Encoding.UTF8.GetBytes(Text(json));

    static IEnumerable<JsonNode> Descendants(JsonNode node)
    {
        yield return node;
        var children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a.AsEnumerable(),
            _ => [],
        };
        foreach (var child in children.OfType<JsonNode>())
            foreach (var descendant in Descendants(child)) yield return descendant;
    }

    /// <summary>A value of a random kind: edge numbers, strings, nesting far deeper than any parser here allows, and so on.</summary>
    static JsonNode? RandomValue(Random random, int depth)
    {
        switch (random.Next(depth > 2 ? 6 : 10))
        {
            case 0: return null;
            case 1: return JsonValue.Create(random.Next(2) == 0);
            case 2: return JsonNode.Parse(EdgeNumbers[random.Next(EdgeNumbers.Length)]);
            case 3: return JsonValue.Create(random.Next(-5, 400));
            case 4: return JsonValue.Create(new string((char)random.Next(32, 0x3000), random.Next(0, 5)));
            case 5: return JsonValue.Create(new string('x', random.Next(1000, 5000)));
            case 6: return JsonNode.Parse(new string('[', 500) + new string(']', 500), documentOptions: new() { MaxDepth = 1000 });
            case 7: return new JsonArray(Enumerable.Range(0, random.Next(4)).Select(_ => RandomValue(random, depth + 1)).ToArray());
            default:
                var obj = new JsonObject();
                foreach (string key in new[] { "type", "id", "content", "dtype", "shape", "data_offsets", "vocab", "merges" }.Where(_ => random.Next(3) == 0))
                    obj[key] = RandomValue(random, depth + 1);
                return obj;
        }
    }

    static string Describe(JsonNode? value)
    {
        string text = value?.ToJsonString(DeepWriting) ?? "null";
        return text.Length > 60 ? text[..60] + "…" : text;
    }
}
