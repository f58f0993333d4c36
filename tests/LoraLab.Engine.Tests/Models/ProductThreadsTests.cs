using LoraLab.Engine.Models;

namespace LoraLab.Engine.Tests.Models;

public class ProductThreadsTests
{
    [Fact]
    public void Every_chunk_runs_exactly_once_over_many_runs()
    {
        var runs = new int[500];
        for (int round = 0; round < 20; round++)
            ProductThreads.Run(runs.Length, threads: 3, c => Interlocked.Increment(ref runs[c]));

        Assert.All(runs, count => Assert.Equal(20, count));
    }

    [Fact]
    public void A_failing_chunk_surfaces_its_exception_after_the_other_chunks_ran()
    {
        var ran = new int[64];

        var e = Assert.Throws<InvalidOperationException>(() => ProductThreads.Run(ran.Length, threads: 2, c =>
        {
            ran[c] = 1;
            if (c == 40) throw new InvalidOperationException("chunk 40");
        }));

        Assert.Equal("chunk 40", e.Message);
        Assert.All(ran, r => Assert.Equal(1, r));
    }
}
