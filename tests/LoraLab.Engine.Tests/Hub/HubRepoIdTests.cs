using LoraLab.Engine.Hub;

namespace LoraLab.Engine.Tests.Hub;

public sealed class HubRepoIdTests
{
    [Theory]
    [InlineData("HuggingFaceTB/SmolLM2-135M-Instruct", "HuggingFaceTB", "SmolLM2-135M-Instruct")]
    [InlineData("  Qwen/Qwen2.5-0.5B  ", "Qwen", "Qwen2.5-0.5B")]
    [InlineData("gpt2", null, "gpt2")]
    [InlineData("a_b/c_d.e", "a_b", "c_d.e")]
    public void Owner_and_name_are_read_from_a_valid_id(string text, string? owner, string name)
    {
        Assert.True(HubRepoId.TryParse(text, out var repo, out _));

        Assert.Equal((owner, name), (repo!.Owner, repo.Name));
    }

    [Theory]
    [InlineData("", "Give a repository id such as HuggingFaceTB/SmolLM2-135M-Instruct.")]
    [InlineData("a/b/c", "'a/b/c' has more than one '/'; a repository id is owner/name.")]
    [InlineData("owner/my model", "'owner/my model' is not a repository id: ' ' is not allowed (only letters, digits, '-', '_' and '.').")]
    [InlineData("owner/-model", "'owner/-model' is not a repository id: '-model' starts or ends with '-' or '.'.")]
    [InlineData("owner/a--b", "'owner/a--b' is not a repository id: 'a--b' contains '--' or '..'.")]
    [InlineData("/model", "'/model' is not a repository id: a part is empty.")]
    [InlineData("https://huggingface.co/gpt2", "'https://huggingface.co/gpt2' is an address; give only the repository id after the host, such as HuggingFaceTB/SmolLM2-135M-Instruct.")]
    public void An_invalid_id_is_refused_with_a_sentence_naming_the_problem(string text, string message)
    {
        Assert.False(HubRepoId.TryParse(text, out _, out string? error));

        Assert.Equal(message, error);
    }

    [Fact]
    public void An_id_longer_than_the_hubs_limit_is_refused()
    {
        string id = "owner/" + new string('m', 91);

        Assert.False(HubRepoId.TryParse(id, out _, out string? error));

        Assert.Equal($"'{id}' is 97 characters long; a repository id has at most 96.", error);
    }

    [Theory]
    [InlineData(null, "main")]
    [InlineData(" v1.0 ", "v1.0")]
    [InlineData("refs/pr/1", "refs/pr/1")]
    public void An_empty_revision_means_main(string? text, string revision)
    {
        Assert.True(HubRevision.TryNormalize(text, out string normalized, out _));

        Assert.Equal(revision, normalized);
    }
}
