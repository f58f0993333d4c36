using System.Net;
using LoraLab.Web.Accounts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace LoraLab.Web.Tests.Accounts;

/// <summary>
/// A studio run for a team lets nobody in without signing in: every endpoint it maps, found by enumerating its
/// endpoint data sources (so routes added later are covered too), answers a signed-out request with 401 (API, hub)
/// or a redirect to the sign-in page (pages); only the listed endpoints allow anonymous callers.
/// </summary>
public sealed class SignedOutAccessTests(TeamStudio studio) : IClassFixture<TeamStudio>
{
    /// <summary>The endpoints anyone may call, besides the static files (scripts, styles, icons) that the sign-in page needs.</summary>
    static readonly string[] AnonymousRoutes = ["/account/access-denied", "/account/set-password", "/account/setup", "/account/signin", "/health"];

    [Fact]
    public async Task Every_endpoint_refuses_a_signed_out_request_except_sign_in_health_and_static_files()
    {
        var http = studio.SignedOut();
        var endpoints = studio.Service<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

        var anonymous = endpoints.Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is not null && !IsStaticFile(e)).Select(Route).Distinct().Order().ToList();
        var protectedRequests = endpoints.Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(method => (Method: method, Path: SamplePath(e.RoutePattern))))
            .Distinct().ToList();
        var answers = new List<string>();
        foreach (var (method, path) in protectedRequests)
        {
            var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
            bool refused = Unauthorized.IsForScripts(new DefaultHttpContext { Request = { Path = path } }.Request)
                ? response.StatusCode == HttpStatusCode.Unauthorized
                : response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.AbsolutePath == AccountEndpoints.SignInPath;
            if (!refused) answers.Add($"{method} {path} answered {(int)response.StatusCode} {response.Headers.Location}");
        }

        Assert.Equal(AnonymousRoutes, anonymous);
        Assert.Empty(answers);
        // The enumeration found the API, the hub and the pages, not just a few routes.
        Assert.Contains(("DELETE", "/api/runs/1"), protectedRequests);
        Assert.Contains(("GET", "/api/datasets/1/file"), protectedRequests);
        Assert.Contains(protectedRequests, r => r.Path == "/hubs/training/negotiate");
        Assert.Contains(("GET", "/admin/users"), protectedRequests);
        Assert.Contains(("POST", "/api/adapters/import"), protectedRequests);
        Assert.Contains(("POST", "/api/adapters/1/merge"), protectedRequests);
        Assert.Contains(("DELETE", "/api/models/1"), protectedRequests);
        Assert.Contains(("POST", "/api/models/downloads"), protectedRequests);
        Assert.Contains(("POST", "/api/playground/generate"), protectedRequests);
        Assert.Contains(("GET", "/playground"), protectedRequests);
    }

    [Fact]
    public async Task A_signed_out_api_request_gets_problem_details_saying_how_to_sign_in()
    {
        var problem = await ProblemAssert.ReadAsync(await studio.SignedOut().GetAsync("/api/runs"), HttpStatusCode.Unauthorized);

        Assert.Equal(("Not signed in", Unauthorized.SignInOrToken), (problem.Title, problem.Detail));
    }

    [Fact]
    public async Task A_signed_out_page_request_is_sent_to_sign_in_and_back()
    {
        var response = await studio.SignedOut().GetAsync("/runs/7");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/signin?ReturnUrl=%2Fruns%2F7", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task A_signed_out_signalr_client_cannot_connect_to_the_training_hub()
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(studio.Factory.Server.BaseAddress, "hubs/training"), o => o.HttpMessageHandlerFactory = _ => studio.Factory.Server.CreateHandler())
            .Build();

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    static string Route(RouteEndpoint endpoint) => "/" + endpoint.RoutePattern.RawText!.TrimStart('/');

    /// <summary>Files served by MapStaticAssets, whose routes end in a file name.</summary>
    static bool IsStaticFile(RouteEndpoint endpoint) => Path.HasExtension(endpoint.RoutePattern.RawText);

    /// <summary>The route with a sample value for each parameter: 1 for numbers, "x" otherwise.</summary>
    static string SamplePath(RoutePattern pattern) => "/" + string.Join("/", pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
    {
        RoutePatternLiteralPart literal => literal.Content,
        RoutePatternSeparatorPart separator => separator.Content,
        RoutePatternParameterPart parameter => parameter.ParameterPolicies.Any(p => p.Content == "int") ? "1" : "x",
        _ => "",
    }))));
}
