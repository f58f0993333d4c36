using Bunit;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Web.Accounts;
using LoraLab.Web.Adapters;
using LoraLab.Web.Components.Pages.Adapters;
using LoraLab.Web.Components.Pages.BaseModels;
using LoraLab.Web.Tests.Adapters;
using Microsoft.Extensions.DependencyInjection;

namespace LoraLab.Web.Tests.Components.Adapters;

/// <summary>
/// The library and the models as a member of a team sees them: everyone's adapters with their owners, but no way to
/// delete or merge someone else's, to import from the host's folders, to download from the Hub or to delete a model.
/// </summary>
public sealed class LibraryMemberViewTests() : AdapterLibraryContext(singleUser: false)
{
    static readonly Caller Member = new("someone-else", "mo", IsAdmin: false);

    async Task<AdapterSummary> ImportAsLocalAsync()
    {
        string tiny = await AddTinyModelAsync();
        string folder = TestAdapters.WriteLora(tiny, Path.Combine(Scratch, "locals"),
            new LoraConfig { R = 2, LoraAlpha = 4, TargetModules = ["q_proj", "v_proj"], BaseModelNameOrPath = "tiny" }, seed: 1);
        var imported = await Services.GetRequiredService<AdapterImporter>().ImportFolderAsync(folder, new(), Caller.Local);
        return imported.Value ?? throw new InvalidOperationException(imported.Failure!.Detail);
    }

    [Fact]
    public async Task The_adapters_page_shows_owners_but_no_delete_button_on_another_members_adapter_and_no_folder_import()
    {
        await ImportAsLocalAsync();
        SignInAs(Member);

        var page = Render<AdaptersPage>();

        page.WaitForElement("#adapters");
        Assert.Equal(["local"], page.FindAll("#adapters .adapter-owner").Select(c => c.TextContent.Trim()));
        Assert.Empty(page.FindAll(".delete-adapter"));
        Assert.Empty(page.FindAll("#import-folder"));
        Assert.Contains("Upload a zip", page.Find("#import-adapter").TextContent);
    }

    [Fact]
    public async Task Another_members_adapter_page_offers_no_delete_and_no_merge()
    {
        var adapter = await ImportAsLocalAsync();
        SignInAs(Member);

        var page = Render<AdapterPage>(p => p.Add(a => a.AdapterId, adapter.Id));

        page.WaitForElement("#adapter-facts");
        Assert.Contains("owned by local", page.Find("#adapter-facts").TextContent);
        Assert.Empty(page.FindAll("#delete-adapter"));
        Assert.Empty(page.FindAll("#merge-adapter"));
    }

    [Fact]
    public async Task A_member_sees_the_models_without_the_hub_download_form_or_delete_buttons()
    {
        await AddTinyModelAsync();
        SignInAs(Member);

        var page = Render<ModelsPage>();

        page.WaitForElement("#models");
        Assert.NotEmpty(page.FindAll("#hub-admins-only"));
        Assert.Empty(page.FindAll("#hub-download-button"));
        Assert.Empty(page.FindAll(".delete-model"));
    }
}
