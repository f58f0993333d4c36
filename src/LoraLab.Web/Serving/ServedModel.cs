using LoraLab.Web.Adapters;
using LoraLab.Web.Models;

namespace LoraLab.Web.Serving;

/// <summary>
/// A name a client may put in <c>model</c>: a base model, or an adapter on its base (vLLM's convention: the adapter's
/// own name, with the base as its parent).
/// </summary>
public sealed record ServedModel(string Id, RegisteredModel Base, AdapterSummary? Adapter)
{
    /// <summary>The name the adapter is loaded under on the shared base; null for the base alone.</summary>
    public string? LoadedName => Adapter is { } adapter ? $"adapter-{adapter.Id}" : null;

    public string Owner => Adapter?.OwnerName ?? "loralab";
}
