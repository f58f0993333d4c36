namespace LoraLab.Web.Accounts;

/// <summary>
/// The built-in account, seeded by the migrations: in single-user mode every request acts as it, so it owns what a
/// personal studio creates; with accounts it owns what the studio itself registers (the demo datasets) and cannot sign in.
/// </summary>
public static class LocalUser
{
    public const string Id = "local";
    public const string UserName = "local";
}

/// <summary>The two roles: admins manage accounts, quotas, the queue's order and everyone's records; members manage their own.</summary>
public static class StudioRoles
{
    public const string Admin = "admin";
    public const string Member = "member";

    public static readonly IReadOnlyList<string> All = [Admin, Member];
}
