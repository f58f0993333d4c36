using LoraLab.Engine.Models;
using LoraLab.Web.Data.Entities;

namespace LoraLab.Web.Models;

/// <summary>
/// A base-model folder the studio knows about. Exactly one of <see cref="Config"/> and <see cref="Error"/> is set:
/// a folder whose config.json cannot be used is still listed, with the reason. <see cref="Owner"/> is the id of the
/// user who merged it; null for the team's models.
/// </summary>
public sealed record RegisteredModel(int Id, string Name, string Folder, ModelSource Source, ModelConfig? Config, string? Error, string? Owner = null)
{
    /// <summary>The parameter count as model names write it (135M, 1.2B); empty when the config is unusable.</summary>
    public string Parameters { get; } = Config is null ? "" : ParameterCountFormat.Format(Config.ParameterCount());
}
