using System.Text.Json.Nodes;
using LoraLab.Engine.Hub;
using LoraLab.Engine.Tests.Files;

namespace LoraLab.Engine.Tests.Hub;

/// <summary>
/// Hundreds of corrupted Hub answers (the repository listing, the shard index), as a broken mirror or a hostile
/// endpoint could send them: each is understood, or refused with a <see cref="HubDownloadException"/> naming where it
/// came from; none throws anything else, and no file name from the answer can point outside the download folder.
/// </summary>
public sealed class HubListingFuzzTests : IDisposable
{
    const long AllocationAllowance = 1 << 20;

    static readonly HubRepoId Repo = HubRepoId.Parse("tiny/sharded");

    readonly string _folder = Directory.CreateTempSubdirectory("loralab-hub-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    static readonly JsonObject ValidListing = (JsonObject)JsonNode.Parse("""
        {"id": "tiny/sharded", "sha": "0123456789abcdef0123456789abcdef01234567", "gated": false, "private": false,
         "siblings": [
           {"rfilename": "config.json", "size": 512, "blobId": "aa"},
           {"rfilename": "tokenizer.json", "size": 2048, "blobId": "bb"},
           {"rfilename": "model.safetensors.index.json", "size": 300, "blobId": "cc"},
           {"rfilename": "model-00001-of-00002.safetensors", "size": 1000, "lfs": {"sha256": "AB12", "size": 1000, "pointerSize": 134}},
           {"rfilename": "model-00002-of-00002.safetensors", "size": 999, "lfs": {"sha256": "cd34", "size": 999, "pointerSize": 134}}]}
        """)!;

    static readonly JsonObject ValidIndex = (JsonObject)JsonNode.Parse("""
        {"metadata": {"total_size": 1999},
         "weight_map": {"model.embed_tokens.weight": "model-00001-of-00002.safetensors", "lm_head.weight": "model-00002-of-00002.safetensors"}}
        """)!;

    [Fact]
    public void Every_corrupted_repository_listing_is_understood_or_refused_naming_its_address()
    {
        string path = Path.Combine(_folder, "listing.json");

        // Refusals name the address the listing came from, or the repository, both of which hold its id.
        var outcome = Fuzz.Run(Mutants(ValidListing, seed: 51), path, () =>
        {
            var listing = HubRepoListing.Parse(Repo, "main", File.ReadAllBytes(path), source: $"http://127.0.0.1/api/models/{Repo}/revision/main");
            var (files, _) = ModelFileSelection.Choose(listing);
            return files.Where(f => f.Size < 0).Select(f => $"'{f.Path}' has size {f.Size}");
        }, e => e is HubDownloadException, AllocationAllowance, named: Repo.ToString());

        Assert.Empty(outcome.Problems);
        Assert.True(outcome.Accepted >= 20 && outcome.Refused >= 100, outcome.ToString());
    }

    [Fact]
    public void Every_corrupted_shard_index_is_understood_or_refused_and_names_only_files_beside_it()
    {
        var listing = HubRepoListing.Parse(Repo, "main", Mutations.Utf8(ValidListing), source: "listing");
        string path = Path.Combine(_folder, ModelFileSelection.WeightsIndex);

        var outcome = Fuzz.Run(Mutants(ValidIndex, seed: 52), path, () =>
        {
            var shards = ModelFileSelection.Shards(listing, File.ReadAllBytes(path));
            return shards.Where(s => Path.GetFileName(s.Path) != s.Path).Select(s => $"shard '{s.Path}' is not a file name");
        }, e => e is HubDownloadException, AllocationAllowance, named: $"{ModelFileSelection.WeightsIndex} of '{Repo}'");

        Assert.Empty(outcome.Problems);
        Assert.True(outcome.Accepted >= 20 && outcome.Refused >= 100, outcome.ToString());
    }

    static List<Mutant> Mutants(JsonNode valid, int seed) =>
        Mutations.OfJson(valid, count: 300, seed).Select(m => new Mutant(m.Name, Mutations.Utf8(m.Json)))
            .Concat(Mutations.OfBytes(Mutations.Utf8(valid), count: 150, seed + 100)).ToList();
}
