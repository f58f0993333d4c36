namespace LoraLab.Web.BrowserTests;

/// <summary>The studio run for a team: sign-in required, with an admin from configuration.</summary>
public sealed class TeamStudioServer() : StudioServer(_ => new Dictionary<string, string>
{
    ["LoraLab__SingleUser"] = "false",
    ["LoraLab__Accounts__AdminUserName"] = AdminName,
    ["LoraLab__Accounts__AdminPassword"] = AdminPassword,
})
{
    public const string AdminName = "admin";
    public const string AdminPassword = "browser-admin-password";
}
