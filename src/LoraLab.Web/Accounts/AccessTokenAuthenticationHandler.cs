using System.Text.Encodings.Web;
using LoraLab.Web.Data.Entities;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Accounts;

/// <summary>
/// Signs in scripts by personal access token: <c>Authorization: Bearer llt_…</c>, or, for the SignalR hub, the
/// <c>access_token</c> query parameter that browsers' WebSockets must use instead of a header.
/// </summary>
public sealed class AccessTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    AccessTokenStore tokens, IUserClaimsPrincipalFactory<StudioUser> principals)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "AccessToken";

    /// <summary>The token a request carries, or null when it carries none (it is then signed in by cookie, if at all).</summary>
    public static string? TokenOf(HttpRequest request)
    {
        string authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return authorization["Bearer ".Length..].Trim();
        if (request.Path.StartsWithSegments(Unauthorized.HubsPrefix) && request.Query["access_token"] is [{ Length: > 0 } token]) return token;
        return null;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (TokenOf(Request) is not { } secret) return AuthenticateResult.NoResult();
        var user = await tokens.FindUserAsync(secret, Context.RequestAborted);
        if (user is null) return AuthenticateResult.Fail("The access token is not valid: it was revoked, or never issued.");
        if (user.IsDisabled) return AuthenticateResult.Fail($"The account '{user.UserName}' that owns this access token is disabled.");
        return AuthenticateResult.Success(new AuthenticationTicket(await principals.CreateAsync(user), SchemeName));
    }

    /// <summary>401 with the reason the token was refused, as ProblemDetails.</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.Headers.WWWAuthenticate = "Bearer";
        await Unauthorized.WriteAsync(Context, result.Failure?.Message ?? Unauthorized.SignInOrToken);
    }
}
