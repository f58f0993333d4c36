using LoraLab.Web.Data.Entities;
using LoraLab.Web.Storage;

namespace LoraLab.Web.Tests.Storage;

public sealed class UnreferencedFilesTests : IDisposable
{
    readonly TempDataFolder _data = new();

    [Fact]
    public async Task Files_and_folders_no_record_points_to_are_listed_and_referenced_ones_are_not()
    {
        var folder = new DataFolder(_data.Path);
        folder.Create();
        var dbFactory = TestDatabase.Create(_data.Path);
        string datasetFile = Write(Path.Combine(folder.Datasets, "1-chat.jsonl"));
        string strayDataset = Write(Path.Combine(folder.Datasets, ".upload-0123.part"));
        using (var db = dbFactory.CreateDbContext())
        {
            var model = new BaseModel { Name = "m", Folder = "/models/m" };
            var run = new Run { Name = "r", BaseModel = model, MethodKind = "lora", ConfigurationJson = "{}", Owner = "local" };
            db.Add(new Dataset { Name = "chat", Format = "jsonl", FilePath = datasetFile, Owner = "local" });
            db.Add(run);
            db.SaveChanges();
            Directory.CreateDirectory(folder.CheckpointsFolder(run.Id));
            Write(folder.RunLog(run.Id));
            db.Add(new Adapter { Name = "kept", BaseModel = model, Method = "lora", Folder = Path.Combine(folder.Adapters, "kept"), Owner = "local" });
            db.SaveChanges();
        }
        Directory.CreateDirectory(Path.Combine(folder.Adapters, "kept"));
        string strayAdapter = Directory.CreateDirectory(Path.Combine(folder.Adapters, "copied-by-hand")).FullName;
        string strayRun = Directory.CreateDirectory(folder.RunFolder(77)).FullName;
        string strayLog = Write(folder.RunLog(77));
        Directory.CreateDirectory(Path.Combine(folder.Models, "someone-elses-model"));

        var unreferenced = await new UnreferencedFiles(dbFactory, folder).FindAsync();

        Assert.Equal(new[] { strayDataset, strayAdapter, strayRun, strayLog }.Order(StringComparer.Ordinal), unreferenced);
    }

    static string Write(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "x");
        return path;
    }

    public void Dispose() => _data.Dispose();
}
