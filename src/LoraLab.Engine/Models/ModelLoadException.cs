using System.Text.Json;
using LoraLab.Engine.Checkpoints;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Models;

/// <summary>
/// A model or adapter folder that cannot be loaded because of what is in it (a missing or malformed file, weights of
/// the wrong shape, settings the engine refuses): the folder is wrong, not the code. Its message is the cause's.
/// </summary>
public sealed class ModelLoadException(Exception cause) : Exception(cause.Message, cause)
{
    /// <summary>Runs <paramref name="load"/>, turning what reading a folder's files can throw into a <see cref="ModelLoadException"/>.</summary>
    public static T From<T>(Func<T> load)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or InvalidOperationException or NotSupportedException
                                      or JsonException or ModelConfigException or WeightLoadException or CheckpointFormatException
                                      or PeftConfigException or AdapterMismatchException)
        {
            throw new ModelLoadException(e);
        }
    }
}
