using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Export.Gguf;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Web.Adapters;
using LoraLab.Web.Models;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Web.Tests.Adapters;

/// <summary>Import, merge, combine and spectrum through the HTTP API, on a tiny real model in the data folder's models/.</summary>
public sealed class AdapterLibraryApiTests : IAsyncLifetime
{
    readonly TempDataFolder _data = new();
    readonly string _scratch = Directory.CreateTempSubdirectory("loralab-library-").FullName;
    StudioAppFactory _app = null!;
    HttpClient _http = null!;
    string _tiny = null!;

    static readonly LoraConfig QV = new() { R = 2, LoraAlpha = 4, TargetModules = ["q_proj", "v_proj"], BaseModelNameOrPath = "someone/tiny" };

    public Task InitializeAsync()
    {
        _tiny = TinyModelFolder.Write(Path.Combine(_data.ModelsFolder, "tiny"));
        _app = new StudioAppFactory(_data);
        _http = _app.CreateClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _data.Dispose();
        Directory.Delete(_scratch, recursive: true);
    }

    string Scratch(string name) => Path.Combine(_scratch, name);

    async Task<HttpResponseMessage> UploadAsync(byte[] zip, string fileName = "adapter.zip", string? name = null, int? baseModelId = null)
    {
        using var form = new MultipartFormDataContent();
        if (name is not null) form.Add(new StringContent(name), "name");
        if (baseModelId is { } id) form.Add(new StringContent(id.ToString(System.Globalization.CultureInfo.InvariantCulture)), "baseModelId");
        form.Add(new ByteArrayContent(zip), "file", fileName);
        return await _http.PostAsync("/api/adapters/import", form);
    }

    /// <summary>The adapter a response holds, with the folder the server keeps it in (which the API does not send).</summary>
    async Task<AdapterSummary> ReadAdapterAsync(HttpResponseMessage response)
    {
        var json = (await response.Content.ReadFromJsonAsync<JsonObject>(TestJson.Options))!;
        Assert.False(json.ContainsKey("folder"), "the API sends no server path");
        var adapter = json.Deserialize<AdapterSummary>(TestJson.Options)!;
        return adapter with { Folder = await _app.AdapterFolderAsync(adapter.Id) };
    }

    /// <summary>The model a response holds, with the folder the server keeps it in (which the API does not send).</summary>
    async Task<ModelSummary> ReadModelAsync(HttpResponseMessage response)
    {
        var json = (await response.Content.ReadFromJsonAsync<JsonObject>(TestJson.Options))!;
        Assert.False(json.ContainsKey("folder"), "the API sends no server path");
        var model = json.Deserialize<ModelSummary>(TestJson.Options)!;
        return model with { Folder = await _app.ModelFolderAsync(model.Id) };
    }

    async Task<AdapterSummary> ImportAsync(LoraConfig config, string name, long seed)
    {
        var response = await UploadAsync(TestAdapters.Zip(TestAdapters.WriteLora(_tiny, Scratch(name), config, seed)), $"{name}.zip");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await ReadAdapterAsync(response);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("my-adapter")]
    public async Task A_peft_zip_is_matched_to_its_base_by_name_checked_and_registered_with_its_config(string? inFolder)
    {
        string folder = TestAdapters.WriteLora(_tiny, Scratch("qv"), QV, seed: 1);

        var response = await UploadAsync(TestAdapters.Zip(folder, inFolder), "qv.zip");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var adapter = await ReadAdapterAsync(response);
        Assert.Equal(("qv", "tiny", "lora", 2, (int?)null, "imported from qv.zip"), (adapter.Name, adapter.BaseModelName, adapter.Method, adapter.Rank!.Value, adapter.RunId, adapter.Origin));
        Assert.Equal("""["q_proj","v_proj"]""", adapter.TargetModules!.ToJsonString());
        Assert.Equal(Path.Combine(_data.Path, "adapters", $"adapter-{adapter.Id}"), adapter.Folder);
        Assert.Equal(File.ReadAllBytes(Path.Combine(folder, AdapterFolder.WeightsFile)), File.ReadAllBytes(Path.Combine(adapter.Folder, AdapterFolder.WeightsFile)));
        Assert.Equal(new FileInfo(Path.Combine(folder, AdapterFolder.WeightsFile)).Length + new FileInfo(Path.Combine(folder, AdapterFolder.ConfigFile)).Length, adapter.SizeBytes);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_data.Path, "tmp")));
    }

    [Fact]
    public async Task A_zip_with_an_entry_climbing_out_of_the_folder_is_refused_by_name_and_nothing_is_written()
    {
        string folder = TestAdapters.WriteLora(_tiny, Scratch("qv"), QV, seed: 1);
        var zip = TestAdapters.ZipOf(
            (AdapterFolder.ConfigFile, File.ReadAllBytes(Path.Combine(folder, AdapterFolder.ConfigFile))),
            ("../../escaped.txt", "gotcha"u8.ToArray()));

        var response = await UploadAsync(zip, "evil.zip");

        var problem = await ProblemAssert.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("'evil.zip' holds the entry '../../escaped.txt', which points outside the folder it unpacks into; the zip is refused.", problem.Errors["file"].Single());
        Assert.Empty(Directory.EnumerateFiles(_data.Path, "escaped.txt", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_data.Path, "tmp")));
        Assert.Empty((await _http.GetFromJsonAsync<List<AdapterSummary>>("/api/adapters", TestJson.Options))!);
    }

    [Theory]
    [InlineData("..\\..\\models\\qv.zip", "qv")]
    [InlineData("/home/me/my adapter (v2).zip", "my_adapter_v2")]
    [InlineData(".zip", "adapter")]
    public async Task A_zip_name_with_a_path_or_odd_characters_names_the_adapter_by_its_safe_last_segment(string clientName, string named)
    {
        string folder = TestAdapters.WriteLora(_tiny, Scratch("qv"), QV, seed: 1);

        var response = await UploadAsync(TestAdapters.Zip(folder), clientName);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var adapter = await ReadAdapterAsync(response);
        Assert.Equal((named, $"imported from {named}.zip"), (adapter.Name, adapter.Origin));
        Assert.Equal(Path.Combine(_data.Path, "adapters", $"adapter-{adapter.Id}"), adapter.Folder);
    }

    [Fact]
    public async Task An_import_never_replaces_a_folder_already_where_the_adapter_would_go()
    {
        // Left by an earlier data folder whose database was replaced: the next adapter gets id 1 and that folder.
        string inTheWay = Path.Combine(_data.Path, "adapters", "adapter-1");
        Directory.CreateDirectory(inTheWay);
        File.WriteAllText(Path.Combine(inTheWay, "notes.txt"), "precious");
        string folder = TestAdapters.WriteLora(_tiny, Scratch("qv"), QV, seed: 1);

        var problem = await ProblemAssert.ReadAsync(await UploadAsync(TestAdapters.Zip(folder), "qv.zip"), HttpStatusCode.Conflict);

        Assert.Equal(("A folder is in the way", $"{inTheWay} already exists and no adapter record refers to it; move it out of the data folder and try again."), (problem.Title, problem.Detail));
        Assert.Equal(["notes.txt"], Directory.EnumerateFileSystemEntries(inTheWay).Select(Path.GetFileName));
        Assert.Empty((await _http.GetFromJsonAsync<List<AdapterSummary>>("/api/adapters", TestJson.Options))!);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_data.Path, "tmp")));
    }

    [Fact]
    public async Task A_name_field_over_the_limit_is_refused_before_the_zip_is_read()
    {
        var response = await UploadAsync(TestAdapters.ZipOf(("adapter_config.json", "{}"u8.ToArray())), name: new string('n', 100_000));

        var problem = await ProblemAssert.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal([$"The name has more than {AdapterImporter.MaxNameLength} characters; at most {AdapterImporter.MaxNameLength} are allowed."], problem.Errors["name"]);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_data.Path, "tmp")));
    }

    [Fact]
    public async Task An_adapter_made_for_another_shape_is_refused_naming_the_first_mismatching_module_and_both_shapes()
    {
        string folder = TestAdapters.WriteLoraOfAnotherShape(Scratch("wide"), QV with { BaseModelNameOrPath = "tiny" });

        var response = await UploadAsync(TestAdapters.Zip(folder), "wide.zip");

        var problem = await ProblemAssert.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("The adapter does not fit tiny", problem.Title);
        Assert.Equal(
            "The adapter wide.zip/adapter_model.safetensors does not fit this base model: base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight " +
            "has shape [2, 48] but this base model needs [2, 32] (and 7 more problems).", problem.Errors["file"].Single());
    }

    [Fact]
    public async Task A_base_name_that_matches_no_model_asks_for_the_base_and_a_chosen_base_is_used()
    {
        string folder = TestAdapters.WriteLora(_tiny, Scratch("qv"), QV with { BaseModelNameOrPath = "meta-llama/Llama-3.1-8B" }, seed: 1);
        int tinyId = (await _http.GetFromJsonAsync<List<ModelSummary>>("/api/models", TestJson.Options))!.Single(m => m.Name == "tiny").Id;

        var unmatched = await UploadAsync(TestAdapters.Zip(folder));
        var chosen = await UploadAsync(TestAdapters.Zip(folder), baseModelId: tinyId, name: "chosen");

        var problem = await ProblemAssert.ReadAsync(unmatched, HttpStatusCode.BadRequest);
        Assert.Equal("adapter_config.json names the base model 'meta-llama/Llama-3.1-8B', which matches no registered model; choose the base model.", problem.Errors["baseModelId"].Single());
        Assert.Equal(HttpStatusCode.Created, chosen.StatusCode);
        Assert.Equal(("chosen", tinyId), await chosen.Content.ReadFromJsonAsync<AdapterSummary>(TestJson.Options) is { } a ? (a.Name, a.BaseModelId) : default);
    }

    [Fact]
    public async Task A_folder_on_the_host_is_copied_into_the_library_and_the_original_stays()
    {
        string folder = TestAdapters.WriteLora(_tiny, Scratch("qv"), QV, seed: 1);

        var response = await _http.PostAsJsonAsync("/api/adapters/import-folder", new { folder }, TestJson.Options);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var adapter = await ReadAdapterAsync(response);
        Assert.Equal(("qv", $"imported from {folder}"), (adapter.Name, adapter.Origin));
        Assert.NotEqual(folder, adapter.Folder);
        await _http.DeleteAsync($"/api/adapters/{adapter.Id}");
        Assert.True(File.Exists(Path.Combine(folder, AdapterFolder.WeightsFile)));
        Assert.False(Directory.Exists(adapter.Folder));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_merged_export_is_a_new_base_model_whose_logits_equal_the_base_with_the_adapter(bool dora)
    {
        var adapter = await ImportAsync(QV with { UseDora = dora, TargetModules = ["q_proj", "v_proj", "down_proj"] }, "qvd", seed: 4);

        var response = await _http.PostAsJsonAsync($"/api/adapters/{adapter.Id}/merge", new { name = "tiny-qvd" }, TestJson.Options);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var model = await ReadModelAsync(response);
        Assert.Equal(("tiny-qvd", Path.Combine(_data.ModelsFolder, "tiny-qvd")), (model.Name, model.Folder));
        Assert.True(File.Exists(Path.Combine(model.Folder, "tokenizer.json")));
        long[] ids = [3, 17, 42, 5, 99, 1];
        using var input = tensor(ids).unsqueeze(0);
        using var merged = PretrainedModel.Load(model.Folder, ComputeDevice.Cpu);
        using var adapted = PretrainedModel.Load(_tiny, ComputeDevice.Cpu);
        using var baseOnly = PretrainedModel.Load(_tiny, ComputeDevice.Cpu);
        PeftLoraFiles.Load(adapted, adapter.Folder);
        using var _ = no_grad();
        using var mergedLogits = merged.Forward(input);
        using var adaptedLogits = adapted.Forward(input);
        using var baseLogits = baseOnly.Forward(input);
        Assert.True((adaptedLogits - baseLogits).abs().max().item<float>() > 0.05, "the adapter should change the logits");
        Assert.True((mergedLogits - adaptedLogits).abs().max().item<float>() < 1e-4);
    }

    [Fact]
    public async Task A_merged_model_downloads_as_a_zip_of_its_checkpoint()
    {
        var adapter = await ImportAsync(QV, "qv", seed: 4);
        var merged = await _http.PostAsync($"/api/adapters/{adapter.Id}/merge", null);
        var model = await ReadModelAsync(merged);

        var download = await _http.GetAsync($"/api/models/{model.Id}/download");

        Assert.Equal((HttpStatusCode.Created, "tiny-qv-merged"), (merged.StatusCode, model.Name));
        Assert.Equal("application/zip", download.Content.Headers.ContentType?.MediaType);
        using var zip = new ZipArchive(await download.Content.ReadAsStreamAsync());
        Assert.Equal(Directory.EnumerateFiles(model.Folder).Select(Path.GetFileName).Order(), zip.Entries.Select(e => e.FullName).Order());
        Assert.Contains("model.safetensors", zip.Entries.Select(e => e.FullName));
    }

    [Fact]
    public async Task A_gguf_export_downloads_as_the_engines_file_and_modelfile_and_goes_with_the_adapter()
    {
        var adapter = await ImportAsync(QV, "qv", seed: 4);

        var response = await _http.PostAsJsonAsync($"/api/adapters/{adapter.Id}/gguf", new { kind = "merged", type = "q8_0" }, TestJson.Options);
        var export = (await response.Content.ReadFromJsonAsync<GgufExport>(TestJson.Options))!;
        var download = await _http.GetAsync(export.DownloadUrl);
        // The engine's export of the same files, which the engine's tests check against llama.cpp.
        string expected = Path.Combine(Directory.CreateDirectory(Scratch("gguf")).FullName, Path.ChangeExtension(export.FileName, ".gguf"));
        GgufModelExporter.Export(_tiny, adapter.Folder, GgufFileType.Q8_0, expected);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("tiny-qv-q8_0.zip", export.FileName);
        using (var zip = new ZipArchive(await download.Content.ReadAsStreamAsync()))
        {
            Assert.Equal(["tiny-qv-q8_0.Modelfile", "tiny-qv-q8_0.gguf"], zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
            Assert.Equal(await File.ReadAllBytesAsync(expected), ReadAll(zip.GetEntry("tiny-qv-q8_0.gguf")!));
            Assert.Equal(await File.ReadAllBytesAsync(OllamaModelfile.PathFor(expected)), ReadAll(zip.GetEntry("tiny-qv-q8_0.Modelfile")!));
        }
        Assert.Equal(HttpStatusCode.OK, (await _http.DeleteAsync($"/api/adapters/{adapter.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync(export.DownloadUrl)).StatusCode);
        Assert.False(Directory.Exists(Path.Combine(_data.Path, "exports", $"adapter-{adapter.Id}")));

        static byte[] ReadAll(ZipArchiveEntry entry)
        {
            using var stream = entry.Open();
            using var bytes = new MemoryStream();
            stream.CopyTo(bytes);
            return bytes.ToArray();
        }
    }

    [Fact]
    public async Task A_gguf_export_that_cannot_be_made_is_a_400_naming_why()
    {
        var dora = await ImportAsync(QV with { UseDora = true }, "d", seed: 2);

        var asFile = await _http.PostAsJsonAsync($"/api/adapters/{dora.Id}/gguf", new { kind = "adapter" }, TestJson.Options);
        var badType = await _http.PostAsJsonAsync($"/api/adapters/{dora.Id}/gguf", new { type = "q3_k" }, TestJson.Options);
        var badKind = await _http.PostAsJsonAsync($"/api/adapters/{dora.Id}/gguf", new { kind = "onnx" }, TestJson.Options);

        Assert.Contains("DoRA", (await ProblemAssert.ReadAsync(asFile, HttpStatusCode.BadRequest)).Detail);
        Assert.Contains("q3_k", (await ProblemAssert.ReadAsync(badType, HttpStatusCode.BadRequest)).Errors["type"][0]);
        Assert.Contains("onnx", (await ProblemAssert.ReadAsync(badKind, HttpStatusCode.BadRequest)).Errors["kind"][0]);
        Assert.False(Directory.Exists(Path.Combine(_data.Path, "exports", $"adapter-{dora.Id}")) && Directory.EnumerateFiles(Path.Combine(_data.Path, "exports", $"adapter-{dora.Id}")).Any());
    }

    [Fact]
    public async Task Merging_into_an_existing_folder_name_is_refused_under_the_name_field()
    {
        var adapter = await ImportAsync(QV, "qv", seed: 4);

        var response = await _http.PostAsJsonAsync($"/api/adapters/{adapter.Id}/merge", new { name = "tiny" }, TestJson.Options);

        var problem = await ProblemAssert.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal($"{_tiny} already exists; choose another name.", problem.Errors["name"].Single());
    }

    [Fact]
    public async Task A_cat_combination_is_a_new_adapter_whose_updates_are_the_weighted_sums()
    {
        var a = await ImportAsync(QV, "a", seed: 1);
        var b = await ImportAsync(new LoraConfig { R = 3, LoraAlpha = 3, TargetModules = ["q_proj", "o_proj"], BaseModelNameOrPath = "tiny" }, "b", seed: 2);

        var response = await _http.PostAsJsonAsync("/api/adapters/combine",
            new AdapterCombination([new(a.Id, 0.7), new(b.Id, -1.3)], "mix", "cat"), TestJson.Options);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var mix = await ReadAdapterAsync(response);
        Assert.Equal(("mix", 5, "0.7 × a − 1.3 × b (cat)", a.BaseModelId), (mix.Name, mix.Rank!.Value, mix.Origin, mix.BaseModelId));
        var (ua, ub, combined) = (TestAdapters.Updates(a.Folder), TestAdapters.Updates(b.Folder), TestAdapters.Updates(mix.Folder));
        Assert.Equal(ua.Keys.Union(ub.Keys).Order(), combined.Keys.Order());
        foreach (var (path, update) in combined)
        {
            var expected = zeros_like(update);
            if (ua.TryGetValue(path, out var fromA)) expected += 0.7 * fromA;
            if (ub.TryGetValue(path, out var fromB)) expected += -1.3 * fromB;
            Assert.True((update - expected).abs().max().item<double>() < 1e-5, path);
        }
    }

    [Fact]
    public async Task A_linear_combination_of_unequal_ranks_is_refused_naming_the_adapters_by_name()
    {
        var a = await ImportAsync(QV, "a", seed: 1);
        var b = await ImportAsync(QV with { R = 3 }, "b", seed: 2);

        var response = await _http.PostAsJsonAsync("/api/adapters/combine",
            new AdapterCombination([new(a.Id, 0.5), new(b.Id, 0.5)], CombinationType: "linear"), TestJson.Options);

        var problem = await ProblemAssert.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("combination_type linear needs adapters of equal rank, but at model.layers.0.self_attn.q_proj they have 'a' r = 2, 'b' r = 3; use cat.",
            problem.Errors["sources"].Single());
    }

    [Fact]
    public async Task Combining_a_single_adapter_or_a_dora_adapter_is_refused_before_any_model_loads()
    {
        var a = await ImportAsync(QV, "a", seed: 1);
        var dora = await ImportAsync(QV with { UseDora = true }, "d", seed: 2);

        var single = await _http.PostAsJsonAsync("/api/adapters/combine", new AdapterCombination([new(a.Id, 1)]), TestJson.Options);
        var withDora = await _http.PostAsJsonAsync("/api/adapters/combine", new AdapterCombination([new(a.Id, 1), new(dora.Id, 1)]), TestJson.Options);

        Assert.Equal("Pick at least two adapters to combine.", (await ProblemAssert.ReadAsync(single, HttpStatusCode.BadRequest)).Errors["sources"].Single());
        Assert.Equal("'d' is a DoRA adapter; DoRA's normalised updates cannot be combined as weighted sums.",
            (await ProblemAssert.ReadAsync(withDora, HttpStatusCode.BadRequest)).Errors["sources"].Single());
    }

    [Fact]
    public async Task The_spectrum_lists_each_module_with_its_singular_values_and_effective_ranks()
    {
        var adapter = await ImportAsync(QV with { R = 4 }, "qv4", seed: 3);

        var spectrum = await _http.GetFromJsonAsync<AdapterSpectrum>($"/api/adapters/{adapter.Id}/spectrum", TestJson.Options);

        var expected = RankSpectrum.Read(adapter.Folder);
        Assert.Equal(4, spectrum!.R);
        Assert.Equal(expected.Modules.Select(m => (m.Module, m.Layer, m.Name)), spectrum.Modules.Select(m => (m.Module, m.Layer, m.Name)));
        Assert.All(spectrum.Modules.Zip(expected.Modules), p => Assert.Equal(p.Second.SingularValues, p.First.SingularValues));
        Assert.All(spectrum.Modules, m => Assert.InRange(m.EffectiveRank99, 1, 4));
    }
}
