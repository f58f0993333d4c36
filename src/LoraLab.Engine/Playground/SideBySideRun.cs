using System.Diagnostics;
using LoraLab.Engine.Generation;

namespace LoraLab.Engine.Playground;

/// <summary>
/// A generation of several rows on a <see cref="SharedBaseModel"/>, run as few batched passes as the rows' adapters
/// allow: every base-only, LoRA and DoRA row in one routed batch, then each other adapter's rows in a batch of their own.
/// Enumerate <see cref="Steps"/> to stream it; the passes run one after the other.
/// </summary>
public sealed class SideBySideRun : IDisposable
{
    readonly IReadOnlyList<PlannedPass> passes;
    readonly GenerationResult?[] results;
    PassRun? current;

    internal SideBySideRun(int rows, IReadOnlyList<PlannedPass> passes)
    {
        this.passes = passes;
        results = new GenerationResult?[rows];
        PassOfRow = Enumerable.Range(0, rows).Select(row => passes.Select((p, i) => (p, i)).First(x => x.p.Rows.Contains(row)).i).ToArray();
    }

    /// <summary>Row i runs in pass PassOfRow[i]; rows of pass 0 share the routed batch when it has any.</summary>
    public IReadOnlyList<int> PassOfRow { get; }

    public int PassCount => passes.Count;

    public bool IsFinished => results.All(r => r is not null);

    /// <summary>Every row's output, once <see cref="Steps"/> has run to the end.</summary>
    public IReadOnlyList<GenerationResult> Results => IsFinished
        ? results.Select(r => r!).ToArray()
        : throw new InvalidOperationException("The generation is still running: enumerate Steps to the end before reading the results.");

    /// <summary>
    /// Runs the passes in order, one step per item. On cancellation the running pass ends its rows as cancelled (keeping
    /// their tokens so far) and the passes not started end theirs with no tokens.
    /// </summary>
    public IEnumerable<SideBySideStep> Steps(CancellationToken cancellationToken = default)
    {
        for (int p = 0; p < passes.Count; p++)
        {
            var pass = passes[p];
            if (cancellationToken.IsCancellationRequested)
            {
                foreach (int row in pass.Rows) results[row] = new GenerationResult([], FinishReason.Cancelled, "");
                yield return new SideBySideStep(p, pass.Rows.Select(row => new SideBySideRow(row, new RowStep(-1, "", FinishReason.Cancelled))).ToArray(), 0);
                continue;
            }
            var clock = Stopwatch.StartNew();
            current = pass.Start();
            try
            {
                foreach (var step in current.Steps(cancellationToken))
                    yield return new SideBySideStep(p, pass.Rows.Select((row, i) => new SideBySideRow(row, step.Rows[i])).ToArray(), clock.Elapsed.TotalSeconds);
                var passResults = current.Results();
                for (int i = 0; i < pass.Rows.Length; i++) results[pass.Rows[i]] = passResults[i];
            }
            finally
            {
                current.Dispose();
                current = null;
            }
        }
    }

    public void Dispose() => current?.Dispose();
}

/// <summary>The rows of one batched pass, and how to start it.</summary>
internal sealed record PlannedPass(int[] Rows, Func<PassRun> Start);

/// <summary>A started pass, whatever kind of generation run it is.</summary>
internal sealed record PassRun(Func<CancellationToken, IEnumerable<GenerationStep>> Steps, Func<IReadOnlyList<GenerationResult>> Results, IDisposable Run) : IDisposable
{
    public void Dispose() => Run.Dispose();
}
