using LoraLab.Web.Accounts;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Playground;
using Microsoft.EntityFrameworkCore;

namespace LoraLab.Web.Tests.Playground;

public sealed class PlaygroundVoteStoreTests : IDisposable
{
    readonly TempDataFolder _data = new();
    readonly IDbContextFactory<LoraLabDbContext> _db;
    readonly PlaygroundVoteStore _votes;

    public PlaygroundVoteStoreTests()
    {
        _db = TestDatabase.Create(_data.Path);
        _votes = new PlaygroundVoteStore(_db, TimeProvider.System);
    }

    async Task<(int BaseModel, int Adapter)> AddBaseWithAdapterAsync(string name)
    {
        await using var db = await _db.CreateDbContextAsync();
        var model = new BaseModel { Name = name, Folder = "/models/" + name };
        db.BaseModels.Add(model);
        await db.SaveChangesAsync();
        var adapter = new Adapter { Name = name + " adapter", BaseModelId = model.Id, Method = "lora", Folder = "/adapters/" + name, Owner = Caller.Local.UserId };
        db.Adapters.Add(adapter);
        await db.SaveChangesAsync();
        return (model.Id, adapter.Id);
    }

    [Fact]
    public async Task An_adapter_trained_on_another_base_is_refused_naming_both_bases()
    {
        var (first, _) = await AddBaseWithAdapterAsync("first");
        var (_, otherAdapter) = await AddBaseWithAdapterAsync("second");

        var refused = await _votes.RecordAsync(new NewVote(first, null, otherAdapter, VoteChoice.A, "p", "a", "b"), Caller.Local);

        Assert.Equal($"Adapter {otherAdapter} was trained on base model {first + 1}, not on base model {first}.", refused.Failure!.FieldErrors!["adapterBId"][0]);
    }

    [Fact]
    public async Task Deleting_an_adapter_removes_its_votes_from_the_table()
    {
        var (baseModel, adapter) = await AddBaseWithAdapterAsync("only");
        await _votes.RecordAsync(new NewVote(baseModel, adapter, null, VoteChoice.A, "p", "a", "b"), Caller.Local);
        Assert.Equal(2, (await _votes.RatingsAsync(baseModel)).Count);

        await using (var db = await _db.CreateDbContextAsync())
            await db.Adapters.Where(a => a.Id == adapter).ExecuteDeleteAsync();

        Assert.Empty(await _votes.RatingsAsync(baseModel));
    }

    public void Dispose() => _data.Dispose();
}
