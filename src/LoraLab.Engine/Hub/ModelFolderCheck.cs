using LoraLab.Engine.Checkpoints;
using LoraLab.Engine.Models;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Hub;

/// <summary>Whether a downloaded folder opens the way training will open it: its config, its tokenizer and every safetensors header.</summary>
public static class ModelFolderCheck
{
    /// <exception cref="HubDownloadException">With <see cref="HubFailure.NotSupported"/> and the reason the engine gave.</exception>
    public static ModelConfig Verify(string folder)
    {
        try
        {
            var config = ModelConfig.Load(folder);
            TokenizerLoader.Load(folder);
            using (CheckpointReader.Open(folder)) { }
            return config;
        }
        catch (Exception e) when (e is ModelConfigException or CheckpointFormatException or InvalidDataException or NotSupportedException or IOException)
        {
            throw new HubDownloadException(HubFailure.NotSupported, $"The downloaded folder {folder} cannot be used: {e.Message.TrimEnd('.')}.", e);
        }
    }
}
