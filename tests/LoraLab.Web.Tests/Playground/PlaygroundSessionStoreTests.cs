using System.Text.Json.Nodes;
using LoraLab.Web.Accounts;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Playground;

namespace LoraLab.Web.Tests.Playground;

public sealed class PlaygroundSessionStoreTests : IDisposable
{
    readonly TempDataFolder _data = new();
    readonly PlaygroundSessionStore _store;
    readonly Caller _mia = new("mia", "mia", IsAdmin: false), _noah = new("noah", "noah", IsAdmin: false);

    public PlaygroundSessionStoreTests()
    {
        var db = TestDatabase.Create(_data.Path);
        using (var context = db.CreateDbContext())
        {
            context.Users.AddRange(new StudioUser { Id = "mia", UserName = "mia" }, new StudioUser { Id = "noah", UserName = "noah" });
            context.SaveChanges();
        }
        _store = new PlaygroundSessionStore(db, TimeProvider.System);
    }

    [Fact]
    public async Task A_saved_session_is_listed_newest_first_with_its_payload_and_can_be_deleted()
    {
        var first = await _store.SaveAsync("first", new JsonObject { ["prompt"] = "Hi", ["temperature"] = 0.7 }, _mia);
        var second = await _store.SaveAsync("second", new JsonObject { ["adapters"] = new JsonArray(1, 2) }, _mia);

        var listed = await _store.ListAsync(_mia);
        var deleted = await _store.DeleteAsync(first.Id, _mia);

        Assert.Equal(["second", "first"], listed.Select(s => s.Name));
        Assert.Equal("""{"prompt":"Hi","temperature":0.7}""", listed[1].Payload.ToJsonString());
        Assert.Equal(first.Id, deleted.Value!.Id);
        Assert.Equal(second.Id, Assert.Single(await _store.ListAsync(_mia)).Id);
        Assert.Equal(FailureKind.NotFound, (await _store.DeleteAsync(first.Id, _mia)).Failure!.Kind);
    }

    [Fact]
    public async Task A_member_sees_only_their_own_sessions_while_an_admin_sees_and_deletes_everyones()
    {
        var mias = await _store.SaveAsync("mias", new JsonObject(), _mia);
        var noahs = await _store.SaveAsync("noahs", new JsonObject(), _noah);

        var opened = await _store.FindAsync(mias.Id, _noah);
        var deleted = await _store.DeleteAsync(mias.Id, _noah);

        Assert.Equal(["noahs"], (await _store.ListAsync(_noah)).Select(s => s.Name));
        Assert.Equal(("The session is private", $"Playground session {mias.Id} belongs to another user; only they and admins can open or delete it."),
            (opened.Failure!.Title, opened.Failure.Detail));
        Assert.Equal(FailureKind.Forbidden, deleted.Failure!.Kind);
        Assert.Equal([("noahs", "noah"), ("mias", "mia")], (await _store.ListAsync(Caller.Local)).Select(s => (s.Name, s.OwnerName)));
        Assert.Null((await _store.DeleteAsync(noahs.Id, Caller.Local)).Failure);
        Assert.Equal(["mias"], (await _store.ListAsync(Caller.Local)).Select(s => s.Name));
    }

    public void Dispose() => _data.Dispose();
}
