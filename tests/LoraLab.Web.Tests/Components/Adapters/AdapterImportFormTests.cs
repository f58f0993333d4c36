using AngleSharp.Dom;
using Bunit;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Web.Adapters;
using LoraLab.Web.Components.Pages.Adapters;
using LoraLab.Web.Models;
using LoraLab.Web.Tests.Adapters;
using Microsoft.AspNetCore.Components.Forms;

namespace LoraLab.Web.Tests.Components.Adapters;

public sealed class AdapterImportFormTests : AdapterLibraryContext
{
    static readonly LoraConfig QV = new() { R = 2, LoraAlpha = 4, TargetModules = ["q_proj", "v_proj"], BaseModelNameOrPath = "tiny" };

    readonly List<AdapterSummary> _imported = [];

    async Task<IRenderedComponent<AdapterImportForm>> RenderFormAsync()
    {
        var models = await Registry.ListAsync();
        return Render<AdapterImportForm>(p => p.Add(f => f.Models, models).Add(f => f.OnImported, a => _imported.Add(a)));
    }

    static string? HelperText(IRenderedComponent<AdapterImportForm> form, string selector) =>
        form.Find(selector).Closest(".mud-input-control")?.QuerySelector(".mud-input-helper-text")?.TextContent.Trim();

    [Fact]
    public async Task Importing_a_folder_without_a_path_says_so_under_the_folder_field()
    {
        var form = await RenderFormAsync();

        form.Find("#import-folder-button").Click();

        Assert.Equal("Give the path of an adapter folder on this host.", HelperText(form, "#import-folder"));
        Assert.Empty(_imported);
    }

    [Fact]
    public async Task A_file_that_is_not_a_zip_is_refused_before_it_is_uploaded()
    {
        var form = await RenderFormAsync();

        form.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("{}", "adapter_config.json"));

        Assert.Equal("'adapter_config.json' is not a .zip file: zip the adapter folder (adapter_config.json and adapter_model.safetensors).",
            form.WaitForElement("#import-file-error").TextContent);
    }

    [Fact]
    public async Task A_zip_with_an_entry_climbing_out_is_refused_under_the_upload_naming_the_entry()
    {
        var form = await RenderFormAsync();

        form.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(
            TestAdapters.ZipOf(("adapter_config.json", "{}"u8.ToArray()), ("../x.txt", "x"u8.ToArray())), "sneaky.zip"));

        Assert.Equal("'sneaky.zip' holds the entry '../x.txt', which points outside the folder it unpacks into; the zip is refused.",
            form.WaitForElement("#import-file-error").TextContent);
    }

    [Fact]
    public async Task A_base_name_matching_no_model_is_reported_under_the_base_model_choice()
    {
        string tiny = await AddTinyModelAsync();
        string folder = TestAdapters.WriteLora(tiny, Path.Combine(Scratch, "qv"), QV with { BaseModelNameOrPath = "org/unknown-7B" }, seed: 1);
        var form = await RenderFormAsync();

        form.Find("#import-folder").Input(folder);
        form.Find("#import-folder-button").Click();

        form.WaitForAssertion(() => Assert.Equal(
            "adapter_config.json names the base model 'org/unknown-7B', which matches no registered model; choose the base model.",
            HelperText(form, "#import-base")), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task An_adapter_of_another_shape_is_refused_with_one_sentence_naming_the_module_and_shapes()
    {
        await AddTinyModelAsync();
        string folder = TestAdapters.WriteLoraOfAnotherShape(Path.Combine(Scratch, "wide"), QV);
        var form = await RenderFormAsync();

        form.Find("#import-folder").Input(folder);
        form.Find("#import-folder-button").Click();

        var alert = form.WaitForElement("[data-failure]", TimeSpan.FromSeconds(30));
        Assert.Equal($"The adapter does not fit tiny. The adapter {folder}/adapter_model.safetensors does not fit this base model: " +
            "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight has shape [2, 48] but this base model needs [2, 32] (and 7 more problems).",
            alert.QuerySelector(".mud-alert-message")!.TextContent.Trim());
        Assert.Empty(_imported);
    }

    [Fact]
    public async Task A_fitting_folder_is_imported_under_the_given_name_and_handed_to_the_page()
    {
        string tiny = await AddTinyModelAsync();
        string folder = TestAdapters.WriteLora(tiny, Path.Combine(Scratch, "qv"), QV, seed: 1);
        var form = await RenderFormAsync();

        form.Find("#import-name").Change("my adapter");
        form.Find("#import-folder").Input(folder);
        form.Find("#import-folder-button").Click();

        form.WaitForAssertion(() => Assert.Single(_imported), TimeSpan.FromSeconds(30));
        Assert.Equal(("my adapter", "tiny", 2), (_imported[0].Name, _imported[0].BaseModelName, _imported[0].Rank!.Value));
    }
}
