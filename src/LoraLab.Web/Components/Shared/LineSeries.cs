namespace LoraLab.Web.Components.Shared;

/// <summary>One curve of a <see cref="LineChart"/>: points by x (a step), drawn in <paramref name="Color"/>.</summary>
public sealed record LineSeries(string Name, IReadOnlyList<ChartPoint> Points, string Color);

public readonly record struct ChartPoint(double X, double Y);
