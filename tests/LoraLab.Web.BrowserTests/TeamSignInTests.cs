using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace LoraLab.Web.BrowserTests;

/// <summary>
/// A team's studio in a real browser: a signed-out visit lands on the sign-in form, the admin signs in, invites a
/// member, creates an access token, reads the audit log and signs out, with no Content-Security-Policy violation.
/// </summary>
public sealed class TeamSignInTests(TeamStudioServer studio) : IClassFixture<TeamStudioServer>
{
    [Fact]
    public async Task The_admin_signs_in_invites_a_member_creates_a_token_and_signs_out_under_the_content_security_policy()
    {
        var page = await studio.NewPageAsync();
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error") violations.Add(message.Text);
        };

        await page.GotoAsync("/runs");
        await page.WaitForURLAsync(new Regex(@"/account/signin\?ReturnUrl=%2Fruns$"));
        await ScreenshotAsync(page, "10-sign-in");
        await page.FillAsync("#username", TeamStudioServer.AdminName);
        await page.FillAsync("#password", TeamStudioServer.AdminPassword);
        await page.ClickAsync("#signin-button");
        await page.WaitForURLAsync(new Regex("/runs$"));
        await WaitInteractiveAsync(page);
        Assert.Equal(TeamStudioServer.AdminName, (await page.Locator("#signed-in-as").TextContentAsync())?.Trim());

        await OpenAsync(page, "/admin/users");
        await page.FillAsync("#new-user-name", "browser-member");
        await page.ClickAsync("#add-user");
        Assert.Contains("/account/set-password?user=", await page.Locator("#password-link .token-secret").TextContentAsync());
        await page.Locator("#users .user-name", new() { HasText = "browser-member" }).WaitForAsync();
        await ScreenshotAsync(page, "11-users");

        await OpenAsync(page, "/account/tokens");
        await page.FillAsync("#token-name", "nightly-sweep");
        await page.ClickAsync("#create-token");
        Assert.StartsWith("llt_", (await page.Locator("#token-secret .token-secret").TextContentAsync())?.Trim());
        await ScreenshotAsync(page, "12-tokens");

        await OpenAsync(page, "/admin/audit");
        await page.Locator("#audit .audit-action", new() { HasText = "token created" }).WaitForAsync();
        await ScreenshotAsync(page, "13-audit");

        await page.ClickAsync("#sign-out");
        // The redirect after the sign-out post committed, then the sign-in form. Waiting for the load event instead timed
        // out now and then in full runs inside WaitForLoadState, so with the URL already matched and "NetworkIdle" logged.
        await page.WaitForURLAsync(new Regex("/account/signin$"), new() { WaitUntil = WaitUntilState.Commit });
        await page.Locator("#username").WaitForAsync();

        Assert.Empty(violations);
    }

    static async Task OpenAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await WaitInteractiveAsync(page);
    }

    static Task WaitInteractiveAsync(IPage page) => page.Locator("[data-interactive='true']").WaitForAsync();

    static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(StudioServer.ScreenshotFolder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(StudioServer.ScreenshotFolder, $"{name}.png"), FullPage = true });
    }
}
