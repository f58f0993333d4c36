using LoraLab.Engine.Devices;
using LoraLab.Web.Adapters;
using LoraLab.Web.Evaluations;
using LoraLab.Web.Storage;
using LoraLab.Web.Tests.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Tests.Components.Adapters;

/// <summary>The studio's services plus the adapter library's, over the test's data folder, with a tiny real model in models/tiny.</summary>
public abstract class AdapterLibraryContext : StudioComponentContext
{
    protected AdapterLibraryContext(bool singleUser = true) : base(singleUser: singleUser)
    {
        var db = TestDatabase.Create(Data.Path);
        var folder = new DataFolder(Data.Path);
        folder.Create();
        Store = new AdapterStore(db, Quotas, TimeProvider.System, folder);
        var work = new AdapterWork();
        Services.AddSingleton(folder);
        Services.AddSingleton(Store);
        Services.AddSingleton(work);
        Services.AddSingleton(new AdapterImporter(Store, Registry, folder, work, Quotas, ComputeDevice.Cpu, Options.Create(new LoraLabOptions { DataPath = Data.Path })));
        Services.AddSingleton(new AdapterMerger(Store, Registry, folder, work, Quotas, Audit, ComputeDevice.Cpu));
        Services.AddSingleton(new GgufExports(Store, Registry, folder, work, Quotas, Audit));
        Services.AddSingleton(new AdapterCombiner(Store, Registry, folder, work, Quotas, ComputeDevice.Cpu));
        Services.AddSingleton(new AdapterSpectra(Store));
        Services.AddSingleton(new EvaluationStore(db, TimeProvider.System));
        Scratch = Path.Combine(Data.Path, "scratch");
    }

    protected AdapterStore Store { get; }

    /// <summary>A folder outside the data folder's managed parts, for adapters the test writes.</summary>
    protected string Scratch { get; }

    /// <summary>Writes models/tiny (a real tiny model), registers it and returns its folder.</summary>
    protected async Task<string> AddTinyModelAsync()
    {
        string folder = TinyModelFolder.Write(Path.Combine(Data.ModelsFolder, "tiny"));
        await Registry.SyncAsync();
        return folder;
    }
}
