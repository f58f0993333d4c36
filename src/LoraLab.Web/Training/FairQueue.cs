namespace LoraLab.Web.Training;

/// <summary>
/// Where a newly queued run goes so that no user starves the others: users take turns. Walking the queue, each run is
/// its owner's 1st, 2nd, ... queued run (its round); the new run is its owner's next round, placed after every run of
/// an earlier round and, within its own round, before the users who were served (had a run start) more recently.
/// The workers then take the queue first-in first-out, which serves the user with the least recent service first,
/// round-robin among users with queued runs and in order within each user. With one user this is "last".
/// </summary>
public static class FairQueue
{
    /// <param name="queuedOwners">The owners of the queued runs, in queue order.</param>
    /// <param name="owner">The owner of the run to place.</param>
    /// <param name="lastServed">When each user's latest run started; users missing from it were never served.</param>
    /// <returns>The 0-based index to insert the run at (the queue's length to append it).</returns>
    public static int InsertionIndex(IReadOnlyList<string> queuedOwners, string owner, IReadOnlyDictionary<string, DateTime> lastServed)
    {
        int round = queuedOwners.Count(o => o == owner);
        var ownerServed = lastServed.GetValueOrDefault(owner, DateTime.MinValue);
        var rounds = new Dictionary<string, int>();
        for (int i = 0; i < queuedOwners.Count; i++)
        {
            string other = queuedOwners[i];
            int otherRound = rounds.GetValueOrDefault(other);
            rounds[other] = otherRound + 1;
            if (otherRound > round || (otherRound == round && lastServed.GetValueOrDefault(other, DateTime.MinValue) > ownerServed)) return i;
        }
        return queuedOwners.Count;
    }
}
