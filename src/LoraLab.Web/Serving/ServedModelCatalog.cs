using LoraLab.Web.Adapters;
using LoraLab.Web.Models;

namespace LoraLab.Web.Serving;

/// <summary>
/// The base models and adapters the OpenAI API serves, under the names clients use: every usable base model by its
/// name, and every adapter whose base is usable by its name (a name that two of them share gets "-{id}" on the adapter).
/// </summary>
public sealed class ServedModelCatalog(ModelRegistry models, AdapterStore adapters)
{
    public async Task<IReadOnlyList<ServedModel>> ListAsync(CancellationToken cancellation = default)
    {
        var bases = (await models.ListAsync(cancellation)).Where(m => m.Error is null).ToDictionary(m => m.Id);
        var served = bases.Values.Select(m => new ServedModel(m.Name, m, null)).ToList();
        var onUsableBases = (await adapters.ListAsync(cancellation)).Where(a => bases.ContainsKey(a.BaseModelId)).ToList();
        var taken = served.Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        var adapterNameCounts = onUsableBases.CountBy(a => a.Name).ToDictionary(StringComparer.Ordinal);
        foreach (var adapter in onUsableBases.OrderBy(a => a.Id))
        {
            string id = taken.Contains(adapter.Name) || adapterNameCounts[adapter.Name] > 1 ? $"{adapter.Name}-{adapter.Id}" : adapter.Name;
            taken.Add(id);
            served.Add(new ServedModel(id, bases[adapter.BaseModelId], adapter));
        }
        return served;
    }

    public async Task<ServedModel?> FindAsync(string id, CancellationToken cancellation = default) =>
        (await ListAsync(cancellation)).FirstOrDefault(m => m.Id == id);
}
