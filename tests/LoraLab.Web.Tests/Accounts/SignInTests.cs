using System.Net;
using LoraLab.Web.Accounts;
using LoraLab.Web.Data.Entities;

namespace LoraLab.Web.Tests.Accounts;

/// <summary>Signing in and out through the static forms, as a browser posts them, and what a session then opens.</summary>
public sealed class SignInTests(TeamStudio studio) : IClassFixture<TeamStudio>
{
    [Fact]
    public async Task Signing_in_opens_the_page_asked_for_and_the_api_and_signing_out_closes_them()
    {
        await studio.AddUserAsync("uma");
        var browser = new FormClient(studio.Factory);

        var signedIn = await browser.SignInAsync("uma", TeamStudio.PasswordOf("uma"), "/account/signin?returnUrl=%2Fruns");
        var runsPage = await browser.Http.GetAsync("/runs");
        var api = await browser.Http.GetAsync("/api/runs");
        var signedOut = await browser.SignOutAsync("/runs");
        var afterSignOut = await browser.Http.GetAsync("/runs");

        Assert.Equal((HttpStatusCode.Redirect, "/runs"), (signedIn.StatusCode, FormClient.RedirectTarget(signedIn)));
        Assert.Equal(HttpStatusCode.OK, runsPage.StatusCode);
        Assert.Contains("id=\"signed-in-as\"", await runsPage.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        Assert.Equal((HttpStatusCode.Redirect, "/account/signin"), (signedOut.StatusCode, FormClient.RedirectTarget(signedOut)));
        Assert.Equal(HttpStatusCode.Redirect, afterSignOut.StatusCode);
        Assert.Contains(await studio.Service<AuditLog>().ListAsync(action: AuditAction.SignedIn), e => e.UserName == "uma");
    }

    [Fact]
    public async Task A_wrong_password_says_so_signs_nobody_in_and_is_audited()
    {
        await studio.AddUserAsync("vic");
        var browser = new FormClient(studio.Factory);

        var answer = await browser.SignInAsync("vic", "not-the-password");

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains("The user name or the password is wrong.", await answer.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await browser.Http.GetAsync("/")).StatusCode);
        Assert.Contains(await studio.Service<AuditLog>().ListAsync(action: AuditAction.SignInFailed), e => e.UserName == "vic");
    }

    [Fact]
    public async Task A_disabled_account_cannot_sign_in()
    {
        var wes = await studio.AddUserAsync("wes");
        await studio.Service<UserAdministration>().SetDisabledAsync(await studio.AdminAsync(), wes.UserId, disabled: true);

        var answer = await new FormClient(studio.Factory).SignInAsync("wes", TeamStudio.PasswordOf("wes"));

        Assert.Contains("This account is disabled: ask an admin.", await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_member_is_turned_away_from_the_admin_pages()
    {
        await studio.AddUserAsync("xia");
        var browser = new FormClient(studio.Factory);
        await browser.SignInAsync("xia", TeamStudio.PasswordOf("xia"));

        var users = await browser.Http.GetAsync("/admin/users");
        var audit = await browser.Http.GetAsync("/admin/audit");

        Assert.StartsWith("/account/access-denied", FormClient.RedirectTarget(users));
        Assert.StartsWith("/account/access-denied", FormClient.RedirectTarget(audit));
    }

    [Fact]
    public async Task The_admin_from_configuration_signs_in_and_opens_the_users_page()
    {
        var browser = new FormClient(studio.Factory);

        await browser.SignInAsync(TeamStudio.AdminName, TeamStudio.AdminPassword);
        var users = await browser.Http.GetAsync("/admin/users");

        Assert.Equal(HttpStatusCode.OK, users.StatusCode);
        Assert.Contains("Add a user", await users.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_invitation_link_sets_the_password_once_and_signs_the_user_in()
    {
        var invited = (await studio.Service<UserAdministration>().CreateAsync(await studio.AdminAsync(), new NewUser("yara", null, null, null))).Value!;
        var browser = new FormClient(studio.Factory);
        (string, string)[] password = [("Input.Password", "yaras-own-password"), ("Input.Confirm", "yaras-own-password")];

        var set = await browser.SubmitAsync(invited.PasswordLink!, "set-password", password);
        var again = await new FormClient(studio.Factory).SubmitAsync(invited.PasswordLink!, "set-password", password);

        Assert.Equal((HttpStatusCode.Redirect, "/"), (set.StatusCode, FormClient.RedirectTarget(set)));
        Assert.Equal(HttpStatusCode.OK, (await browser.Http.GetAsync("/")).StatusCode);
        Assert.Contains("This link was already used, has expired", await again.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await new FormClient(studio.Factory).SignInAsync("yara", "yaras-own-password")).StatusCode);
    }
}
