using System.Net;
using System.Net.Http.Headers;
using LoraLab.Web.Accounts;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace LoraLab.Web.Tests.Accounts;

/// <summary>Personal access tokens: what a script's token lets it do, and when it stops working.</summary>
public sealed class AccessTokenTests(TeamStudio studio) : IClassFixture<TeamStudio>
{
    [Fact]
    public async Task A_token_works_until_it_is_revoked_then_gets_401_saying_so()
    {
        var lena = await studio.AddUserAsync("lena1");
        var created = (await studio.Service<AccessTokenStore>().CreateAsync(lena, "sweep")).Value!;
        var http = WithToken(created.Secret);

        var before = await http.GetAsync("/api/runs");
        await studio.Service<AccessTokenStore>().RevokeAsync(lena, created.Token.Id);
        var after = await ProblemAssert.ReadAsync(await http.GetAsync("/api/runs"), HttpStatusCode.Unauthorized);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal("The access token is not valid: it was revoked, or never issued.", after.Detail);
    }

    [Fact]
    public async Task Only_the_hash_of_a_token_is_stored_and_its_hint_is_its_beginning()
    {
        var mia = await studio.AddUserAsync("mia1");

        var created = (await studio.Service<AccessTokenStore>().CreateAsync(mia, "notebook")).Value!;

        Assert.Matches("^llt_[A-Za-z0-9_-]{43}$", created.Secret);
        Assert.Equal(created.Secret[..8] + "…", created.Token.Hint);
        var stored = Assert.Single(await studio.Service<AccessTokenStore>().ListAsync(mia));
        Assert.Equal(("notebook", created.Token.Hint), (stored.Name, stored.Hint));
        // SHA-256 of the secret, checked against .NET's own implementation of the published algorithm.
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(created.Secret))),
            AccessTokenStore.Hash(created.Secret));
    }

    [Fact]
    public async Task The_token_of_a_disabled_account_stops_working()
    {
        var nina = await studio.AddUserAsync("nina1");
        var http = (await studio.ClientAsync(nina)).Http;

        await studio.Service<UserAdministration>().SetDisabledAsync(await studio.AdminAsync(), nina.UserId, disabled: true);

        var problem = await ProblemAssert.ReadAsync(await http.GetAsync("/api/models"), HttpStatusCode.Unauthorized);
        Assert.Equal("The account 'nina1' that owns this access token is disabled.", problem.Detail);
    }

    [Fact]
    public async Task A_made_up_token_gets_401()
    {
        var problem = await ProblemAssert.ReadAsync(await WithToken("llt_not-a-real-token").GetAsync("/api/datasets"), HttpStatusCode.Unauthorized);

        Assert.Equal("Not signed in", problem.Title);
    }

    [Fact]
    public async Task A_signalr_client_connects_to_the_hub_with_its_token()
    {
        var omar = await studio.AddUserAsync("omar1");
        string secret = (await studio.Service<AccessTokenStore>().CreateAsync(omar, "dashboard")).Value!.Secret;
        await using var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(studio.Factory.Server.BaseAddress, "hubs/training"), o =>
            {
                o.HttpMessageHandlerFactory = _ => studio.Factory.Server.CreateHandler();
                o.AccessTokenProvider = () => Task.FromResult<string?>(secret);
                // The in-memory test server speaks HTTP only: long polling carries the token as a header, as it does for any non-browser client.
                o.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.LongPolling;
            })
            .Build();

        await connection.StartAsync();
        await connection.InvokeAsync("SubscribeToAll");

        Assert.Equal(HubConnectionState.Connected, connection.State);
    }

    [Fact]
    public async Task A_browser_websocket_passes_the_token_as_the_access_token_query_of_the_hub_only()
    {
        var pia = await studio.AddUserAsync("pia1");
        string secret = (await studio.Service<AccessTokenStore>().CreateAsync(pia, "browser")).Value!.Secret;
        var http = studio.SignedOut();

        var hub = await http.PostAsync($"/hubs/training/negotiate?negotiateVersion=1&access_token={secret}", null);
        var api = await http.GetAsync($"/api/runs?access_token={secret}");

        Assert.Equal(HttpStatusCode.OK, hub.StatusCode);
        // Query strings end up in logs and browser history: the API takes its token from the header only.
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    HttpClient WithToken(string secret)
    {
        var http = studio.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return http;
    }
}
