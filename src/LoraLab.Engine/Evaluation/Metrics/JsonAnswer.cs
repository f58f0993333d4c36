using System.Text.Json;

namespace LoraLab.Engine.Evaluation.Metrics;

/// <summary>Whether an answer is JSON, and whether it has the shape of the reference answer.</summary>
public static class JsonAnswer
{
    public static bool IsJson(string text) => Parse(text) is not null;

    /// <summary>
    /// The prediction has the reference's shape: the same kind at every level (object, array, string, number, boolean,
    /// null), objects with exactly the reference's keys, and every array element shaped as the reference array's first
    /// element (any element fits an empty reference array). Values may differ: that is what the other metrics judge.
    /// </summary>
    public static bool MatchesShapeOf(string prediction, string reference) =>
        Parse(prediction) is { } p && Parse(reference) is { } r && SameShape(p.RootElement, r.RootElement);

    static JsonDocument? Parse(string text)
    {
        try { return JsonDocument.Parse(text.Trim()); }
        catch (JsonException) { return null; }
    }

    static bool SameShape(JsonElement prediction, JsonElement reference) => (prediction.ValueKind, reference.ValueKind) switch
    {
        (JsonValueKind.True or JsonValueKind.False, JsonValueKind.True or JsonValueKind.False) => true,
        (JsonValueKind.Object, JsonValueKind.Object) =>
            prediction.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)
                .SequenceEqual(reference.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal))
            && reference.EnumerateObject().All(r => SameShape(prediction.GetProperty(r.Name), r.Value)),
        (JsonValueKind.Array, JsonValueKind.Array) =>
            reference.GetArrayLength() == 0 || prediction.EnumerateArray().All(e => SameShape(e, reference[0])),
        var (p, r) => p == r,
    };
}
