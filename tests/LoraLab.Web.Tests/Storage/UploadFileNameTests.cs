using LoraLab.Web.Storage;

namespace LoraLab.Web.Tests.Storage;

public sealed class UploadFileNameTests
{
    [Theory]
    [InlineData("chat.jsonl", "chat.jsonl")]
    [InlineData("../../etc/passwd.jsonl", "passwd.jsonl")]
    [InlineData("..\\..\\windows\\evil.jsonl", "evil.jsonl")]
    [InlineData("/var/lib/loralab/loralab.db.jsonl", "loralab.db.jsonl")]
    [InlineData("C:\\Users\\me\\my data (v2).csv", "my_data_v2.csv")]
    [InlineData(".hidden.jsonl", "hidden.jsonl")]
    [InlineData("...jsonl", "dataset.jsonl")]
    [InlineData("a\0b\r\n<>|?*\"c.json", "a_b_c.json")]
    [InlineData("données été.jsonl", "données_été.jsonl")]
    [InlineData(".jsonl", "dataset.jsonl")]
    [InlineData("___.jsonl", "dataset.jsonl")]
    [InlineData("", "dataset")]
    public void A_client_file_name_keeps_only_its_last_segment_in_safe_characters(string clientName, string stored)
    {
        Assert.Equal(stored, UploadFileName.Sanitize(clientName, "dataset"));
    }

    [Fact]
    public void A_long_name_is_cut_to_the_limit_keeping_its_extension()
    {
        string name = UploadFileName.Sanitize(new string('a', 500) + ".jsonl", "dataset");

        Assert.Equal(new string('a', UploadFileName.MaxLength - ".jsonl".Length) + ".jsonl", name);
    }

    [Theory]
    [InlineData("../x.jsonl")]
    [InlineData("..")]
    [InlineData("a/../../b.csv")]
    [InlineData("\\\\server\\share\\..\\c.json")]
    public void A_sanitised_name_is_never_a_path_nor_a_dot_name(string clientName)
    {
        string name = UploadFileName.Sanitize(clientName, "dataset");

        Assert.DoesNotContain('/', name);
        Assert.DoesNotContain('\\', name);
        Assert.False(name.StartsWith('.'), name);
        Assert.Equal(name, Path.GetFileName(name));
    }
}
