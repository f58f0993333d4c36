using System.Text.Json;
using System.Text.Json.Serialization;

namespace LoraLab.Web.Tests;

/// <summary>The API's JSON conventions: camelCase, enums as strings.</summary>
public static class TestJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
}
