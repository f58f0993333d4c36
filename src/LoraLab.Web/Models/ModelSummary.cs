using System.Text.Json.Serialization;
using LoraLab.Web.Data.Entities;

namespace LoraLab.Web.Models;

/// <summary>
/// A registered model as the API lists it; the shape fields are null when <paramref name="Error"/> says the folder is
/// unusable. <paramref name="Owner"/> is the id of the user who merged it; null for the team's models.
/// <paramref name="Folder"/> is where the server keeps it: the pages use it, the API never sends it.
/// </summary>
public sealed record ModelSummary(
    int Id, string Name, [property: JsonIgnore] string Folder, ModelSource Source, string? Architecture, long? ParameterCount, string Parameters,
    string? DType, int? ContextLength, string? Error, string? Owner)
{
    public static ModelSummary From(RegisteredModel model) => new(
        model.Id, model.Name, model.Folder, model.Source, model.Config?.Architecture, model.Config?.ParameterCount(), model.Parameters,
        model.Config?.TorchDType, model.Config?.MaxPositionEmbeddings, model.Error, model.Owner);
}
