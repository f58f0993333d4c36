using System.Collections;
using System.Text.Json;

namespace LoraLab.Engine.Tokenization.Jinja;

/// <summary>Converts what callers pass (CLR values or parsed JSON) into the template's Python-like values.</summary>
public static class JinjaValue
{
    public static object? From(object? value) => value switch
    {
        null => null,
        string or bool or long or double => value,
        int i => (long)i,
        float f => (double)f,
        decimal m => (double)m,
        JsonElement json => FromJson(json),
        IDictionary<string, object?> map => ToDict(map.Select(p => (p.Key, p.Value))),
        IDictionary map => ToDict(map.Keys.Cast<object>().Select(k => (k.ToString()!, map[k]))),
        IEnumerable items => items.Cast<object?>().Select(From).ToList(),
        _ => value,
    };

    static object? FromJson(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.String => json.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.Number => json.TryGetInt64(out long i) ? i : json.GetDouble(),
        JsonValueKind.Array => json.EnumerateArray().Select(FromJson).ToList(),
        _ => ToDict(json.EnumerateObject().Select(p => (p.Name, (object?)p.Value))),
    };

    static OrderedDictionary<object, object?> ToDict(IEnumerable<(string Key, object? Value)> pairs)
    {
        var dict = JinjaValues.NewDict();
        foreach (var (key, value) in pairs) dict[key] = From(value);
        return dict;
    }
}
