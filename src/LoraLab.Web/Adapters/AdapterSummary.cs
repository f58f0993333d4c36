using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace LoraLab.Web.Adapters;

/// <summary>
/// An adapter as lists show it. <paramref name="TargetModules"/> and <paramref name="Metrics"/> are JSON as stored;
/// <paramref name="Owner"/> is the owner's user id; <paramref name="Origin"/> says where an adapter without a run came from.
/// <paramref name="Folder"/> is where the server keeps it: the pages use it, the API never sends it.
/// </summary>
public sealed record AdapterSummary(
    int Id,
    string Name,
    int? RunId,
    int BaseModelId,
    string BaseModelName,
    string Method,
    int? Rank,
    JsonNode? TargetModules,
    [property: JsonIgnore] string Folder,
    long SizeBytes,
    DateTime CreatedAt,
    JsonNode? Metrics,
    string Owner,
    string OwnerName,
    string? Origin = null);
