using Microsoft.Playwright;

namespace LoraLab.Web.BrowserTests;

/// <summary>Picking a file in a Blazor <c>InputFile</c> (MudFileUpload renders one).</summary>
static class FilePicker
{
    /// <summary>
    /// Sets <paramref name="file"/> on <paramref name="input"/> once Blazor listens to it. InputFile attaches its change
    /// listener from its first interactive render's after-render call (blazor.web.js <c>InputFile.init</c>, which also
    /// sets <c>_blazorInputFileNextFileId</c>), a round trip after the page turns interactive: a file picked before is
    /// ignored and the upload never starts.
    /// </summary>
    public static async Task PickAsync(ILocator input, string file)
    {
        await input.Page.WaitForFunctionAsync("element => element._blazorInputFileNextFileId !== undefined", await input.ElementHandleAsync());
        await input.SetInputFilesAsync(file);
    }
}
