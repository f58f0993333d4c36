namespace LoraLab.Web.Slurm;

/// <summary>A Slurm command could not be started, timed out, or ended with an error; the message says which and quotes its stderr.</summary>
public sealed class SlurmCommandException(string message) : Exception(message);
