using LoraLab.Web.Training;

namespace LoraLab.Web.Tests.Training;

public sealed class FairQueueTests
{
    static readonly DateTime Earlier = new(2026, 1, 1, 9, 0, 0, DateTimeKind.Utc);
    static readonly DateTime Later = Earlier.AddHours(1);

    /// <summary>Places runs one by one, as users queue them, and returns the queue's owners in order.</summary>
    static List<string> Queue(IReadOnlyDictionary<string, DateTime> lastServed, params string[] arrivals)
    {
        var queue = new List<string>();
        foreach (string owner in arrivals) queue.Insert(FairQueue.InsertionIndex(queue, owner, lastServed), owner);
        return queue;
    }

    [Fact]
    public void One_user_queues_first_in_first_out()
    {
        Assert.Equal(3, FairQueue.InsertionIndex(["a", "a", "a"], "a", new Dictionary<string, DateTime>()));
    }

    [Fact]
    public void Users_take_turns_whatever_order_they_queue_in()
    {
        var served = new Dictionary<string, DateTime>();

        var queue = Queue(served, "a", "a", "a", "b", "b", "c");

        Assert.Equal(["a", "b", "c", "a", "b", "a"], queue);
    }

    [Fact]
    public void Within_a_round_the_user_served_least_recently_goes_first()
    {
        // a trained an hour ago, b just now, c never: c, then a, then b.
        var served = new Dictionary<string, DateTime> { ["a"] = Earlier, ["b"] = Later };

        var queue = Queue(served, "b", "a", "c");

        Assert.Equal(["c", "a", "b"], queue);
    }

    [Fact]
    public void A_run_moved_ahead_by_an_admin_keeps_its_place_and_counts_in_its_owners_round()
    {
        // An admin moved b's second run to the front: b has had its turn of round 0 there, so a's next run follows a's first.
        var served = new Dictionary<string, DateTime>();

        int index = FairQueue.InsertionIndex(["b", "a", "b"], "a", served);

        Assert.Equal(3, index);
    }
}
