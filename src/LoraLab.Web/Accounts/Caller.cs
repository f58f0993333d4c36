using System.Security.Claims;

namespace LoraLab.Web.Accounts;

/// <summary>
/// Who asks the studio to do something, as the stores see it: they read and change records on a caller's behalf and
/// refuse what the caller may not do. A minimal API handler gets one by declaring a <see cref="Caller"/> parameter;
/// a component asks <see cref="CurrentCaller"/>.
/// </summary>
public sealed record Caller(string UserId, string UserName, bool IsAdmin)
{
    /// <summary>The built-in local account: every request in single-user mode, and the studio's own work at start-up.</summary>
    public static readonly Caller Local = new(LocalUser.Id, LocalUser.UserName, IsAdmin: true);

    /// <summary>Members change and delete their own records; admins manage everyone's.</summary>
    public bool CanChange(string owner) => IsAdmin || owner == UserId;

    /// <summary>The signed-in user of <paramref name="user"/>, or null when nobody is signed in.</summary>
    public static Caller? TryFrom(ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.NameIdentifier) is { } id
            ? new Caller(id, user.Identity?.Name ?? id, user.IsInRole(StudioRoles.Admin))
            : null;

    /// <summary>Minimal API binding; every endpoint requires a signed-in user, so null only reaches one that allows anonymous callers.</summary>
    public static ValueTask<Caller?> BindAsync(HttpContext context) => ValueTask.FromResult(TryFrom(context.User));
}
