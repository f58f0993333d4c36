using System.Net;
using LoraLab.Web.Accounts;
using Microsoft.Extensions.Configuration;

namespace LoraLab.Web.Tests.Accounts;

public sealed class SecurityHeadersTests(TeamStudio studio) : IClassFixture<TeamStudio>
{
    [Theory]
    [InlineData("/account/signin")]
    [InlineData("/api/runs")]
    [InlineData("/app.css")]
    public async Task Every_response_forbids_sniffing_framing_and_scripts_from_elsewhere(string path)
    {
        var response = await studio.SignedOut().GetAsync(path);

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("same-origin", response.Headers.GetValues("Referrer-Policy").Single());
        var policy = response.Headers.GetValues("Content-Security-Policy").Single().Split("; ");
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.Contains("connect-src 'self'", policy);
        Assert.Matches("^script-src 'self' 'nonce-[0-9a-f]{32}'$", policy.Single(p => p.StartsWith("script-src", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_import_map_carries_the_nonce_of_its_response()
    {
        var response = await studio.SignedOut().GetAsync("/account/signin");

        string nonce = response.Headers.GetValues("Content-Security-Policy").Single().Split("'nonce-")[1].Split('\'')[0];
        Assert.Contains($"<script type=\"importmap\" nonce=\"{nonce}\">", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Without_an_https_endpoint_the_studio_neither_redirects_nor_sends_hsts()
    {
        var response = await studio.SignedOut().GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }

    [Theory]
    [InlineData("urls", "http://0.0.0.0:5000", false)]
    [InlineData("urls", "http://0.0.0.0:5000;https://0.0.0.0:5001", true)]
    [InlineData("https_ports", "443", true)]
    [InlineData("Kestrel:Endpoints:Secure:Url", "https://*:8443", true)]
    [InlineData("Kestrel:Endpoints:Plain:Url", "http://*:8080", false)]
    public void An_https_endpoint_is_recognised_in_each_place_it_can_be_configured(string key, string value, bool https)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([KeyValuePair.Create<string, string?>(key, value)]).Build();

        Assert.Equal(https, HttpsEndpoints.AreConfigured(configuration));
    }
}
