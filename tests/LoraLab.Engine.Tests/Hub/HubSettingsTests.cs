using LoraLab.Engine.Hub;

namespace LoraLab.Engine.Tests.Hub;

public sealed class HubSettingsTests
{
    [Fact]
    public void An_endpoint_with_a_path_keeps_it_for_every_request()
    {
        var settings = new HubSettings(new Uri("http://mirror.local:8080/hf"));

        Assert.Equal("http://mirror.local:8080/hf/api/models/a/b", new Uri(settings.Endpoint, "api/models/a/b").AbsoluteUri);
        Assert.Equal("http://mirror.local:8080/hf", settings.EndpointText);
    }

    [Fact]
    public void Given_values_win_and_the_token_never_shows_in_the_text_of_the_settings()
    {
        var settings = HubSettings.Resolve("http://127.0.0.1:9/", " hf_secret ");

        Assert.Equal(("http://127.0.0.1:9/", "hf_secret"), (settings.Endpoint.AbsoluteUri, settings.Token));
        Assert.DoesNotContain("hf_secret", settings.ToString());
    }

    [Fact]
    public void An_endpoint_that_is_not_http_is_refused_naming_it()
    {
        var refused = Assert.Throws<HubDownloadException>(() => HubSettings.Resolve("ftp://hub.local"));

        Assert.Equal("The Hub endpoint 'ftp://hub.local/' is not an http or https address.", refused.Message);
    }
}
