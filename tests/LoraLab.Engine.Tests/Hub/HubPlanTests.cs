using LoraLab.Engine.Hub;

namespace LoraLab.Engine.Tests.Hub;

public sealed class HubPlanTests : HubDownloadFixture
{
    [Fact]
    public async Task A_plan_lists_the_needed_files_at_the_revisions_commit_with_the_hubs_sizes_and_hashes()
    {
        var plan = await PlanAsync();

        Assert.Equal(Repo.Commit, plan.Commit);
        Assert.Equal("LlamaForCausalLM", plan.Config.Architecture);
        Assert.Equal(["config.json", "generation_config.json", "tokenizer.json", "model.safetensors"], plan.Files.Select(f => f.Path));
        var weights = plan.Files.Single(f => f.Path == "model.safetensors");
        Assert.Equal((Original("model.safetensors").LongLength, Repo.Files["model.safetensors"].Sha256), (weights.Size!.Value, weights.Sha256));
        Assert.Null(plan.Files.Single(f => f.Path == "config.json").Sha256);
    }

    [Fact]
    public async Task An_unknown_repository_is_not_found_and_without_a_token_may_be_private()
    {
        var withoutToken = await Assert.ThrowsAsync<HubDownloadException>(() => PlanAsync("tiny/missing"));
        var withToken = await Assert.ThrowsAsync<HubDownloadException>(() => PlanAsync("tiny/missing", token: "hf_any"));

        Assert.Equal((HubFailure.RepositoryNotFound, HubFailure.RepositoryNotFound), (withoutToken.Failure, withToken.Failure));
        string endpoint = Hub.Endpoint.AbsoluteUri.TrimEnd('/');
        Assert.Equal($"There is no model repository 'tiny/missing' on {endpoint}, or it is private and needs an access token (HF_TOKEN).", withoutToken.Message);
        Assert.Equal($"There is no model repository 'tiny/missing' on {endpoint} that the access token can read.", withToken.Message);
    }

    [Fact]
    public async Task An_unknown_revision_is_named()
    {
        var missing = await Assert.ThrowsAsync<HubDownloadException>(() => PlanAsync(revision: "v9"));

        Assert.Equal((HubFailure.RevisionNotFound, "'tiny/llama' has no branch, tag or commit 'v9'."), (missing.Failure, missing.Message));
    }

    [Fact]
    public async Task A_gated_repository_without_a_token_is_refused_before_any_file_is_requested()
    {
        (Repo.Gated, Repo.Token) = ("manual", "hf_granted");

        var gated = await Assert.ThrowsAsync<HubDownloadException>(() => PlanAsync());

        Assert.Equal(HubFailure.GatedRepository, gated.Failure);
        Assert.Equal($"'tiny/llama' is a gated repository: accept its terms on {Hub.Endpoint.AbsoluteUri}tiny/llama, then give an access token (HF_TOKEN).", gated.Message);
        Assert.DoesNotContain(Hub.Requests, r => r.Path.Contains("/resolve/"));
    }

    [Fact]
    public async Task A_gated_repository_whose_terms_the_tokens_account_has_not_accepted_answers_403_and_says_so()
    {
        (Repo.Gated, Repo.Token) = ("auto", "hf_granted");

        var refused = await Assert.ThrowsAsync<HubDownloadException>(() => PlanAsync(token: "hf_other"));
        var granted = await PlanAsync(token: "hf_granted");

        Assert.Equal(HubFailure.GatedRepository, refused.Failure);
        Assert.StartsWith("'tiny/llama' is a gated repository and the access token's account may not read it yet", refused.Message);
        Assert.Equal(4, granted.Files.Count);
    }

    [Fact]
    public async Task A_repository_with_only_pytorch_weights_is_refused_naming_what_it_holds()
    {
        var repo = Hub.AddRepo("tiny/pytorch");
        repo.Add("config.json", File.ReadAllText(Path.Combine(Source, "config.json")));
        repo.Add("tokenizer.json", File.ReadAllText(Path.Combine(Source, "tokenizer.json")));
        repo.Add("pytorch_model.bin", new byte[64], lfs: true);

        var refused = await Assert.ThrowsAsync<HubDownloadException>(() => PlanAsync("tiny/pytorch"));

        Assert.Equal(HubFailure.NotSupported, refused.Failure);
        Assert.Equal("'tiny/pytorch' at revision 'main' has no model.safetensors or model.safetensors.index.json (it holds pytorch_model.bin); "
            + "LoRA Lab loads only safetensors weights.", refused.Message);
    }

    [Fact]
    public async Task An_unsupported_architecture_is_refused_before_the_weights_are_fetched()
    {
        Repo.Add("config.json", """{"architectures": ["GPT2LMHeadModel"], "vocab_size": 50257}""");

        var refused = await Assert.ThrowsAsync<HubDownloadException>(() => PlanAsync());

        Assert.Equal(HubFailure.NotSupported, refused.Failure);
        Assert.StartsWith("config.json of 'tiny/llama': architecture 'GPT2LMHeadModel' is not supported; supported architectures: ", refused.Message);
        Assert.DoesNotContain(Hub.Requests, r => r.Path.Contains("model.safetensors"));
    }

    [Fact]
    public async Task A_hub_that_cannot_be_reached_is_a_connection_failure_to_try_again()
    {
        var gone = await HubStandIn.StartAsync();
        await gone.DisposeAsync();
        using var client = new HubClient(new HubSettings(gone.Endpoint));

        var lost = await Assert.ThrowsAsync<HubDownloadException>(() => new HubModelDownloader(client).PlanAsync(Id, "main"));

        Assert.Equal(HubFailure.ConnectionLost, lost.Failure);
        Assert.Equal("Could not read the file list of 'tiny/llama' from 127.0.0.1 (the connection could not be made); try again to continue.", lost.Message);
    }
}
