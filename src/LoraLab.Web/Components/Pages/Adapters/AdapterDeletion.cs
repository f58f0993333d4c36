using LoraLab.Web.Adapters;
using LoraLab.Web.Components.Shared;

namespace LoraLab.Web.Components.Pages.Adapters;

/// <summary>The one question both library pages ask before deleting an adapter.</summary>
static class AdapterDeletion
{
    public static Task<bool?> ConfirmAsync(MudBlazor.IDialogService dialogs, AdapterSummary adapter) =>
        dialogs.ShowMessageBoxAsync("Delete this adapter?",
            $"This deletes '{adapter.Name}' and its folder {adapter.Folder} ({Show.Bytes(adapter.SizeBytes)}). Its run, if any, stays; a model merged from it stays too.",
            yesText: "Delete", cancelText: "Keep it");
}
