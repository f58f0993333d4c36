using System.Net.Http.Json;
using LoraLab.Web.Adapters;
using LoraLab.Web.Datasets;
using LoraLab.Web.Tests.Playground;

namespace LoraLab.Web.Tests.Evaluations;

/// <summary>The single-user studio on the bundled demo model, its trained adapters and its task datasets.</summary>
public sealed class EvaluationStudio : IDisposable
{
    readonly TempDataFolder _data = new();

    public EvaluationStudio()
    {
        string datasets = Path.Combine(Path.GetDirectoryName(DemoAdapterFiles.DemoModel)!, "datasets");
        Factory = new StudioAppFactory(_data, executor: null, ("LoraLab:RegisterDemo", "true"), ("LoraLab:DemoModelPath", DemoAdapterFiles.DemoModel),
            ("LoraLab:DemoDatasetsPath", datasets), ("LoraLab:DemoAdaptersPath", DemoAdapterFiles.BundledAdapters));
        Http = Factory.CreateClient();
    }

    public StudioAppFactory Factory { get; }
    public HttpClient Http { get; }
    public string DataPath => _data.Path;

    public async Task<AdapterSummary> AdapterAsync(string name) =>
        (await Http.GetFromJsonAsync<List<AdapterSummary>>("/api/adapters", TestJson.Options))!.Single(a => a.Name == name);

    public async Task<DatasetSummary> DatasetAsync(string name) =>
        (await Http.GetFromJsonAsync<List<DatasetSummary>>("/api/datasets", TestJson.Options))!.Single(d => d.Name == name);

    public void Dispose()
    {
        Http.Dispose();
        Factory.Dispose();
        _data.Dispose();
    }
}
