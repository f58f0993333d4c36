using System.Text.Json.Nodes;
using LoraLab.Web.Playground;

namespace LoraLab.Web.Tests.Playground;

public sealed class PlaygroundSessionStoreTests : IDisposable
{
    readonly TempDataFolder _data = new();

    [Fact]
    public async Task A_saved_session_is_listed_newest_first_with_its_payload_and_can_be_deleted()
    {
        var store = new PlaygroundSessionStore(TestDatabase.Create(_data.Path), TimeProvider.System);
        var first = await store.SaveAsync("first", new JsonObject { ["prompt"] = "Hi", ["temperature"] = 0.7 });
        var second = await store.SaveAsync("second", new JsonObject { ["adapters"] = new JsonArray(1, 2) });

        var listed = await store.ListAsync();
        bool deleted = await store.DeleteAsync(first.Id);

        Assert.Equal(["second", "first"], listed.Select(s => s.Name));
        Assert.Equal("""{"prompt":"Hi","temperature":0.7}""", listed[1].Payload.ToJsonString());
        Assert.True(deleted);
        Assert.Equal(second.Id, Assert.Single(await store.ListAsync()).Id);
        Assert.False(await store.DeleteAsync(first.Id));
    }

    public void Dispose() => _data.Dispose();
}
