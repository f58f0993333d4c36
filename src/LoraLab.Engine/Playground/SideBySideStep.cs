using LoraLab.Engine.Generation;

namespace LoraLab.Engine.Playground;

/// <summary>One decoding step of one pass of a <see cref="SideBySideRun"/>: what each of the pass's rows produced.</summary>
/// <param name="Pass">The pass, from 0; pass 0 is the routed batch when there is one.</param>
/// <param name="PassSeconds">Time since the pass started, the prefill included.</param>
public sealed record SideBySideStep(int Pass, IReadOnlyList<SideBySideRow> Rows, double PassSeconds);

/// <param name="Row">The row's index in the run's prompts.</param>
public readonly record struct SideBySideRow(int Row, RowStep Step);
