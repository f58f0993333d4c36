using Bunit;
using LoraLab.Web.Accounts;
using LoraLab.Web.Components.Pages.Admin;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Extensions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Tests.Components.Pages;

/// <summary>The users page of a studio run for a team, with Identity's real user manager over the test database.</summary>
public sealed class UsersPageTests : StudioComponentContext
{
    readonly Caller _admin;

    public UsersPageTests() : base(singleUser: false)
    {
        Services.AddLogging();
        Services.AddSingleton(TimeProvider.System);
        Services.AddScoped(_ => DbFactory.CreateDbContext());
        Services.AddIdentityCore<StudioUser>(AccountServiceExtensions.ConfigureIdentity)
            .AddRoles<IdentityRole>().AddEntityFrameworkStores<LoraLabDbContext>().AddDefaultTokenProviders();
        Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        Services.AddSingleton(Options.Create(new AccountsOptions { DefaultMaxQueuedRuns = 4 }));
        Services.AddSingleton<AuditLog>();
        Services.AddSingleton<UserAdministration>();
        _admin = AddAdmin();
        SignInAs(_admin);
    }

    UserAdministration Users => Services.GetRequiredService<UserAdministration>();

    Caller AddAdmin()
    {
        var created = Services.GetRequiredService<UserAdministration>().CreateAsync(Caller.Local, new NewUser("root", null, StudioRoles.Admin, "root-password")).GetAwaiter().GetResult();
        return new Caller(created.Value!.User.Id, "root", IsAdmin: true);
    }

    IRenderedComponent<UsersPage> RenderPage()
    {
        var page = Render<UsersPage>();
        page.WaitForElement("#users");
        return page;
    }

    [Fact]
    public async Task Adding_a_user_without_a_password_shows_a_one_time_link_that_sets_it()
    {
        var page = RenderPage();

        page.Find("#new-user-name").Change("ana");
        page.Find("#add-user").Click();

        string link = page.WaitForElement("#password-link .token-secret").TextContent;
        var uri = new Uri(link);
        Assert.Equal("/account/set-password", uri.AbsolutePath);
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(uri.Query);
        var ana = (await Users.ListAsync()).Single(u => u.UserName == "ana");
        Assert.Equal(ana.Id, query["user"].ToString());
        Assert.Equal(StudioRoles.Member, ana.Role);
        page.WaitForAssertion(() => Assert.Contains(page.FindAll("#users .user-name"), cell => cell.TextContent == "ana"));
        Assert.Null((await Users.SetPasswordFromLinkAsync(ana.Id, query["token"]!, "anas-password")).Failure);
        Assert.NotNull((await Users.SetPasswordFromLinkAsync(ana.Id, query["token"]!, "anas-password-2")).Failure);
    }

    [Fact]
    public void A_short_password_is_refused_under_the_password_field_with_identitys_rule()
    {
        var page = RenderPage();

        page.Find("#new-user-name").Change("ben");
        page.Find("#new-user-password").Change("short");
        page.Find("#add-user").Click();

        page.WaitForAssertion(() => Assert.Contains("Passwords must be at least 10 characters.",
            page.Find("#new-user-password").Closest(".mud-input-control")!.TextContent));
        Assert.DoesNotContain(page.FindAll("#users .user-name"), cell => cell.TextContent == "ben");
    }

    [Fact]
    public async Task Disabling_a_user_marks_them_and_is_audited_but_admins_cannot_disable_themselves()
    {
        await Users.CreateAsync(_admin, new NewUser("cai", null, null, "cais-password"));
        var page = RenderPage();

        page.Find("td[data-user='cai'] .toggle-disabled").Click();

        page.WaitForAssertion(() => Assert.Single(page.FindAll(".user-disabled")));
        Assert.True((await Users.ListAsync()).Single(u => u.UserName == "cai").IsDisabled);
        Assert.Empty(page.FindAll("td[data-user='root'] .toggle-disabled"));
        Assert.Contains(await Services.GetRequiredService<AuditLog>().ListAsync(_admin.UserId, AuditAction.UserDisabled), e => e.Subject == "user 'cai': disabled");
    }

    [Fact]
    public async Task Quotas_saved_on_the_page_apply_to_the_user_and_empty_ones_show_the_default()
    {
        await Users.CreateAsync(_admin, new NewUser("dee", null, null, "dees-password"));
        var page = RenderPage();
        Assert.Contains("0 / 4", page.Find("td[data-user='dee']").Closest("tr")!.TextContent);

        page.Find("td[data-user='dee'] .edit-quotas").Click();
        page.Find("#quota-queued").Change("2");
        page.Find("#quota-storage").Change("1.5");
        page.Find("#save-quotas").Click();

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("#quota-editor")));
        var dee = (await Users.ListAsync()).Single(u => u.UserName == "dee");
        Assert.Equal((2, 1610612736L), (dee.MaxQueuedRuns, dee.MaxStorageBytes)); // 1.5 × 2^30
        Assert.Contains("0 / 2", page.Find("td[data-user='dee']").Closest("tr")!.TextContent);
    }
}
