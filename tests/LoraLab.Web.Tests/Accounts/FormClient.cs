using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace LoraLab.Web.Tests.Accounts;

/// <summary>
/// A browser without JavaScript: keeps cookies, does not follow redirects, and posts the studio's static forms the way
/// a browser does, with the antiforgery token and form name the page rendered.
/// </summary>
public sealed partial class FormClient(WebApplicationFactory<Program> factory)
{
    public HttpClient Http { get; } = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Opens <paramref name="page"/> and posts its form <paramref name="formName"/> with <paramref name="fields"/>.</summary>
    public async Task<HttpResponseMessage> SubmitAsync(string page, string formName, params (string Name, string Value)[] fields)
    {
        string html = await Http.GetStringAsync(page);
        var form = fields.Select(f => KeyValuePair.Create(f.Name, f.Value))
            .Append(KeyValuePair.Create("__RequestVerificationToken", AntiforgeryToken(html)))
            .Append(KeyValuePair.Create("_handler", formName));
        return await Http.PostAsync(page, new FormUrlEncodedContent(form));
    }

    public Task<HttpResponseMessage> SignInAsync(string userName, string password, string page = "/account/signin") =>
        SubmitAsync(page, "signin", ("Input.UserName", userName), ("Input.Password", password));

    /// <summary>The sign-out form of the app bar, posted from <paramref name="page"/>.</summary>
    public async Task<HttpResponseMessage> SignOutAsync(string page = "/")
    {
        string html = await Http.GetStringAsync(page);
        return await Http.PostAsync("/account/signout", new FormUrlEncodedContent([KeyValuePair.Create("__RequestVerificationToken", AntiforgeryToken(html))]));
    }

    /// <summary>Where a redirect points, as a path and query on this studio.</summary>
    public static string? RedirectTarget(HttpResponseMessage response) => response.Headers.Location switch
    {
        null => null,
        { IsAbsoluteUri: true } absolute => absolute.PathAndQuery,
        var relative => relative.OriginalString,
    };

    public static string AntiforgeryToken(string html) =>
        TokenInput().Match(html) is { Success: true } match ? match.Groups[1].Value : throw new InvalidOperationException("The page has no antiforgery token.");

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenInput();
}
