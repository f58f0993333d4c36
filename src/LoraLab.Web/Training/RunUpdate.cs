namespace LoraLab.Web.Training;

/// <summary>A <see cref="RunEvent"/> of the run <paramref name="RunId"/>, as the notifier delivers it.</summary>
public sealed record RunUpdate(int RunId, RunEvent Event);
