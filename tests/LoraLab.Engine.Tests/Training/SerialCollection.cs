namespace LoraLab.Engine.Tests.Training;

/// <summary>
/// Tests that draw from libtorch's global generator (LoRA dropout) or measure the process's resident memory must not
/// share the process with other tests running at the same time; xunit runs this collection on its own.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Training runs alone";
}
