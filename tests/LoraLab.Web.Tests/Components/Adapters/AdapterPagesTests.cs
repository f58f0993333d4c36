using Bunit;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Web.Components.Pages.Adapters;
using LoraLab.Web.Tests.Adapters;
using LoraLab.Web.Training;

namespace LoraLab.Web.Tests.Components.Adapters;

public sealed class AdapterPagesTests : AdapterLibraryContext
{
    static readonly LoraConfig QV = new() { R = 2, LoraAlpha = 4, TargetModules = ["q_proj", "v_proj"], BaseModelNameOrPath = "tiny" };

    async Task<LoraLab.Web.Adapters.AdapterSummary> ImportAsync(string tiny, string name, LoraConfig config)
    {
        string folder = TestAdapters.WriteLora(tiny, Path.Combine(Scratch, name), config, seed: 1);
        var imported = await Services.GetService<LoraLab.Web.Adapters.AdapterImporter>()!.ImportFolderAsync(folder, new(), LoraLab.Web.Accounts.Caller.Local);
        return imported.Value ?? throw new InvalidOperationException(imported.Failure!.Detail);
    }

    [Fact]
    public async Task The_list_shows_each_adapters_base_method_rank_targets_origin_and_final_metrics()
    {
        string tiny = await AddTinyModelAsync();
        var dataset = await AddDatasetAsync();
        int tinyId = (await Registry.ListAsync()).Single().Id;
        // The tiny model's context is 256 tokens, shorter than the default max_length of 512, which the queue refuses.
        var run = await QueueRunAsync(tinyId, dataset.Id, "trained", new() { ["data"] = new System.Text.Json.Nodes.JsonObject { ["max_length"] = 64 } });
        string runFolder = TestAdapters.WriteLora(tiny, Path.Combine(Data.Path, "adapters", $"run-{run.Id}"), QV with { R = 4 }, seed: 2);
        await Store.RegisterRunAdapterAsync(new RunRequest(run.Id, "trained", tiny, dataset.FilePath, new RunSettings(new(), new(), new()), "", "", runFolder, null, null),
            new RunOutcome(1.25, 1.5, Math.Exp(1.5), 300));
        await ImportAsync(tiny, "qv", QV);

        var page = Render<AdaptersPage>();

        var rows = page.WaitForElements("#adapters tbody tr");
        var cells = rows.Select(r => r.QuerySelectorAll("td").Take(10).Select(td => td.TextContent.Trim()).ToArray()).ToList();
        Assert.Equal(["qv", "tiny", "lora", "2", "q_proj, v_proj", cells[0][5], $"imported from {Path.Combine(Scratch, "qv")}", "–", "–"], cells[0][..9]);
        Assert.Equal(["trained", "tiny", "lora", "4", "q_proj, v_proj", cells[1][5], $"run #{run.Id}", "1.25", "1.5"], cells[1][..9]);
        Assert.Equal($"runs/{run.Id}", rows[1].QuerySelector(".adapter-from a")!.GetAttribute("href"));
    }

    [Fact]
    public async Task Combining_with_fewer_than_two_adapters_picked_says_so()
    {
        string tiny = await AddTinyModelAsync();
        await ImportAsync(tiny, "a", QV);
        await ImportAsync(tiny, "b", QV);
        var page = Render<AdaptersPage>();
        page.WaitForElement("#combine-button");

        page.Find("#combine-button").Click();

        Assert.Contains("Pick at least two adapters to combine.", page.Find("#combine-adapters [data-failure]").TextContent);
    }

    [Fact]
    public async Task The_adapter_page_plots_its_spectrum_and_merging_it_offers_the_merged_checkpoint_as_a_zip()
    {
        string tiny = await AddTinyModelAsync();
        var adapter = await ImportAsync(tiny, "qv", QV);
        var page = Render<AdapterPage>(p => p.Add(a => a.AdapterId, adapter.Id));
        page.WaitForElement("#spectrum-grid");

        page.Find("#merge-button").Click();

        var done = page.WaitForElement("#merge-done", TimeSpan.FromSeconds(60));
        string merged = Path.Combine(Data.ModelsFolder, "tiny-qv-merged");
        Assert.Contains($"Written to {merged} and registered as base model 'tiny-qv-merged'.", done.TextContent);
        int modelId = (await Registry.ListAsync()).Single(m => m.Folder == merged).Id;
        Assert.Equal($"/api/models/{modelId}/download", page.Find("#download-merged").GetAttribute("href"));
        Assert.Equal(4, page.FindAll("#spectrum-grid td.spectrum-cell").Count);
    }

    [Fact]
    public async Task Only_admins_see_where_the_server_keeps_an_adapter()
    {
        string tiny = await AddTinyModelAsync();
        var adapter = await ImportAsync(tiny, "qv", QV);

        var asAdmin = Render<AdapterPage>(p => p.Add(a => a.AdapterId, adapter.Id));
        asAdmin.WaitForElement("#adapter-config");
        SignInAs(new LoraLab.Web.Accounts.Caller("member-id", "member", IsAdmin: false));
        var asMember = Render<AdapterPage>(p => p.Add(a => a.AdapterId, adapter.Id));
        asMember.WaitForElement("#adapter-config");

        Assert.Contains(adapter.Folder, asAdmin.Find("#adapter-folder").TextContent);
        Assert.Empty(asMember.FindAll("#adapter-folder"));
        Assert.DoesNotContain(adapter.Folder, asMember.Markup);
    }

    [Fact]
    public async Task Exporting_to_gguf_from_the_adapter_page_offers_the_zip_and_a_dora_adapter_has_no_adapter_file_choice()
    {
        string tiny = await AddTinyModelAsync();
        var adapter = await ImportAsync(tiny, "qv", QV);
        var dora = await ImportAsync(tiny, "qv-dora", QV with { UseDora = true });
        var page = Render<AdapterPage>(p => p.Add(a => a.AdapterId, adapter.Id));
        page.WaitForElement("#gguf-export-button");

        page.Find("#gguf-export-button").Click();

        var done = page.WaitForElement("#gguf-done", TimeSpan.FromSeconds(60));
        Assert.Contains("tiny-qv-q8_0.zip", done.TextContent);
        Assert.Equal($"/api/adapters/{adapter.Id}/gguf/tiny-qv-q8_0.zip", page.Find("#download-gguf").GetAttribute("href"));
        Assert.True(File.Exists(Path.Combine(Data.Path, "exports", $"adapter-{adapter.Id}", "tiny-qv-q8_0.zip")));

        var doraPage = Render<AdapterPage>(p => p.Add(a => a.AdapterId, dora.Id));
        doraPage.WaitForElement("#gguf-export-button");
        Assert.True(doraPage.FindAll("#gguf-kind input").Last().HasAttribute("disabled"), "DoRA has no llama.cpp adapter file");
    }
}
