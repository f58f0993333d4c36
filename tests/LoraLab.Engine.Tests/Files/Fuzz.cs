namespace LoraLab.Engine.Tests.Files;

/// <summary>How a fuzz run went: inputs accepted, inputs refused, and everything that should not have happened.</summary>
internal sealed record FuzzOutcome(int Accepted, int Refused, IReadOnlyList<string> Problems)
{
    public override string ToString() => $"{Accepted} accepted, {Refused} refused";
}

/// <summary>Feeds mutants to a parser one at a time through a file, as the engine reads them.</summary>
internal static class Fuzz
{
    /// <param name="path">Where each mutant is written before <paramref name="parse"/> reads it.</param>
    /// <param name="parse">Parses the file; returns what is wrong with an accepted result (nothing, usually).</param>
    /// <param name="isRefusal">Whether an exception is the parser's own refusal, which must also name <paramref name="path"/>.</param>
    /// <param name="allowance">Bytes a parse may allocate on the managed heap beyond 16 times the mutant's size.</param>
    /// <param name="named">What a refusal must name, when not <paramref name="path"/>: the folder, for a parser that reads several files of it.</param>
    public static FuzzOutcome Run(IEnumerable<Mutant> mutants, string path, Func<IEnumerable<string>> parse, Func<Exception, bool> isRefusal, long allowance, string? named = null)
    {
        named ??= path;
        var problems = new List<string>();
        int accepted = 0, refused = 0;
        var all = mutants.ToList();
        WarmUp(all, path, parse);
        foreach (var mutant in all)
        {
            File.WriteAllBytes(path, mutant.Bytes);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                problems.AddRange(parse().Select(problem => $"{mutant}: {problem}"));
                accepted++;
            }
            catch (Exception e) when (isRefusal(e))
            {
                refused++;
                if (!e.Message.Contains(named, StringComparison.Ordinal)) problems.Add($"{mutant}: the message does not name {named}: {e.Message}");
            }
            catch (Exception e)
            {
                problems.Add($"{mutant}: {e.GetType().Name}: {e.Message}");
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated > allowance + 16L * mutant.Bytes.Length) problems.Add($"{mutant}: allocated {allocated:N0} bytes");
        }
        return new FuzzOutcome(accepted, refused, problems);
    }

    /// <summary>
    /// One parse before any is measured, so that one-time work (a tokenizer trained lazily, the pre-tokenizer's
    /// regex rewrite, which scans every supplementary code point once) is not charged to whichever mutant comes first.
    /// </summary>
    static void WarmUp(IReadOnlyList<Mutant> mutants, string path, Func<IEnumerable<string>> parse)
    {
        if (mutants.Count == 0) return;
        File.WriteAllBytes(path, mutants[0].Bytes);
        try
        {
            _ = parse().ToList();
        }
        catch (Exception)
        {
            // Whatever the first mutant does is checked in the measured pass.
        }
    }
}
