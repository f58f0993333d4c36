using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace LoraLab.Web.Accounts;

/// <summary>An account as the users page lists it, with what it queues and stores.</summary>
public sealed record UserSummary(
    string Id, string UserName, string? Email, string Role, bool IsDisabled,
    int? MaxQueuedRuns, long? MaxStorageBytes, int QueuedRuns, long StorageBytes, DateTime CreatedAt);

/// <summary>An account to create. Without a password the answer carries a one-time link where the person sets one.</summary>
public sealed record NewUser(string? UserName, string? Email, string? Role, string? Password);

public sealed record CreatedUser(UserSummary User, string? PasswordLink);

/// <summary>
/// What admins do to accounts: create or invite, issue a password-reset link, disable or enable, change the role, set
/// quotas; each change is audited. The built-in local account is not listed and cannot be changed. Each operation
/// runs in its own service scope, since a page's circuit outlives any one UserManager's database context.
/// </summary>
public sealed class UserAdministration(IServiceScopeFactory scopes, IDbContextFactory<LoraLabDbContext> dbFactory, AuditLog audit, TimeProvider clock)
{
    public const string SetPasswordPath = "/account/set-password";

    public async Task<IReadOnlyList<UserSummary>> ListAsync(CancellationToken cancellation = default) =>
        await SummariesAsync(null, cancellation);

    public async Task<UserSummary?> FindAsync(string userId, CancellationToken cancellation = default) =>
        (await SummariesAsync(userId, cancellation)).SingleOrDefault();

    public async Task<Result<CreatedUser>> CreateAsync(Caller admin, NewUser request, CancellationToken cancellation = default)
    {
        if (!admin.IsAdmin) return AdminsOnly();
        string userName = request.UserName?.Trim() ?? "";
        string role = string.IsNullOrWhiteSpace(request.Role) ? StudioRoles.Member : request.Role.Trim();
        var errors = new Dictionary<string, string[]>();
        if (userName.Length == 0) errors["userName"] = ["A user needs a user name to sign in with."];
        if (!StudioRoles.All.Contains(role)) errors["role"] = [$"Unknown role '{role}': use {string.Join(" or ", StudioRoles.All)}."];
        if (errors.Count > 0) return Failure.Invalid("The user is invalid", errors);

        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StudioUser>>();
        var user = new StudioUser
        {
            UserName = userName, Email = string.IsNullOrWhiteSpace(request.Email) ? null : request.Email.Trim(),
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        bool invite = string.IsNullOrEmpty(request.Password);
        var created = invite ? await users.CreateAsync(user) : await users.CreateAsync(user, request.Password!);
        if (!created.Succeeded) return IdentityFailure.From("The user could not be created", created);
        await users.AddToRoleAsync(user, role);
        string? link = invite ? await PasswordLinkAsync(users, user) : null;
        await audit.RecordAsync(admin, invite ? AuditAction.UserInvited : AuditAction.UserCreated, $"user '{userName}' ({role})", cancellation);
        return new CreatedUser((await FindAsync(user.Id, cancellation))!, link);
    }

    /// <summary>A one-time link where the user sets a new password; their current password keeps working until then.</summary>
    public async Task<Result<string>> IssuePasswordLinkAsync(Caller admin, string userId, CancellationToken cancellation = default) =>
        await ChangeAsync(admin, userId, AuditAction.PasswordResetIssued, async (users, user) => await PasswordLinkAsync(users, user), cancellation);

    /// <summary>A disabled account cannot sign in, its tokens stop working, and its open pages are signed out within a minute.</summary>
    public async Task<Result<string>> SetDisabledAsync(Caller admin, string userId, bool disabled, CancellationToken cancellation = default)
    {
        if (disabled && userId == admin.UserId)
            return Failure.Conflict("You cannot disable your own account", "Another admin can, so the studio always keeps an admin who can sign in.");
        return await ChangeAsync(admin, userId, disabled ? AuditAction.UserDisabled : AuditAction.UserEnabled, async (users, user) =>
        {
            user.IsDisabled = disabled;
            await users.UpdateAsync(user);
            await users.UpdateSecurityStampAsync(user);
            return disabled ? "disabled" : "enabled";
        }, cancellation);
    }

    /// <summary>Gives the user exactly one role; they sign in again to use it (their sessions end within a minute).</summary>
    public async Task<Result<string>> SetRoleAsync(Caller admin, string userId, string role, CancellationToken cancellation = default)
    {
        if (!StudioRoles.All.Contains(role)) return Failure.InvalidField("role", $"Unknown role '{role}': use {string.Join(" or ", StudioRoles.All)}.");
        if (userId == admin.UserId && role != StudioRoles.Admin)
            return Failure.Conflict("You cannot remove your own admin role", "Another admin can, so the studio always keeps an admin.");
        return await ChangeAsync(admin, userId, AuditAction.RoleChanged, async (users, user) =>
        {
            await users.RemoveFromRolesAsync(user, await users.GetRolesAsync(user));
            await users.AddToRoleAsync(user, role);
            await users.UpdateSecurityStampAsync(user);
            return $"now {role}";
        }, cancellation);
    }

    /// <summary>Sets the user's own quotas; null falls back to the defaults of LoraLab:Accounts.</summary>
    public async Task<Result<string>> SetQuotasAsync(Caller admin, string userId, int? maxQueuedRuns, long? maxStorageBytes, CancellationToken cancellation = default)
    {
        var errors = new Dictionary<string, string[]>();
        if (maxQueuedRuns < 0) errors["maxQueuedRuns"] = [$"The queued-run quota cannot be negative, got {maxQueuedRuns}."];
        if (maxStorageBytes < 0) errors["maxStorageBytes"] = [$"The storage quota cannot be negative, got {maxStorageBytes}."];
        if (errors.Count > 0) return Failure.Invalid("The quotas are invalid", errors);
        return await ChangeAsync(admin, userId, AuditAction.QuotasChanged, async (users, user) =>
        {
            (user.MaxQueuedRuns, user.MaxStorageBytes) = (maxQueuedRuns, maxStorageBytes);
            await users.UpdateAsync(user);
            return $"queued runs {maxQueuedRuns?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "default"}, storage {maxStorageBytes?.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) ?? "default"} bytes";
        }, cancellation);
    }

    /// <summary>Sets a password through a link from <see cref="CreateAsync"/> or <see cref="IssuePasswordLinkAsync"/>, which then stops working.</summary>
    public async Task<Result<StudioUser>> SetPasswordFromLinkAsync(string userId, string token, string password, CancellationToken cancellation = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StudioUser>>();
        var user = userId == LocalUser.Id ? null : await users.FindByIdAsync(userId);
        if (user is null || user.IsDisabled) return LinkNotValid();
        var reset = await users.ResetPasswordAsync(user, token, password);
        if (reset.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.InvalidToken))) return LinkNotValid();
        if (!reset.Succeeded) return IdentityFailure.From("The password was not set", reset);
        await audit.RecordAsync(new Caller(user.Id, user.UserName!, false), AuditAction.PasswordSet, $"user '{user.UserName}'", cancellation);
        return user;
    }

    async Task<Result<string>> ChangeAsync(
        Caller admin, string userId, AuditAction action, Func<UserManager<StudioUser>, StudioUser, Task<string>> change, CancellationToken cancellation)
    {
        if (!admin.IsAdmin) return AdminsOnly();
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StudioUser>>();
        var user = userId == LocalUser.Id ? null : await users.FindByIdAsync(userId);
        if (user is null) return new Failure(FailureKind.NotFound, "User not found", $"There is no user with id '{userId}'.");
        string outcome = await change(users, user);
        await audit.RecordAsync(admin, action, action == AuditAction.PasswordResetIssued ? $"user '{user.UserName}'" : $"user '{user.UserName}': {outcome}", cancellation);
        return outcome;
    }

    static async Task<string> PasswordLinkAsync(UserManager<StudioUser> users, StudioUser user)
    {
        string token = await users.GeneratePasswordResetTokenAsync(user);
        return $"{SetPasswordPath}?user={Uri.EscapeDataString(user.Id)}&token={Uri.EscapeDataString(token)}";
    }

    async Task<List<UserSummary>> SummariesAsync(string? userId, CancellationToken cancellation)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var users = db.Users.AsNoTracking().Where(u => u.Id != LocalUser.Id);
        if (userId is not null) users = users.Where(u => u.Id == userId);
        var found = await users.OrderBy(u => u.UserName).ToListAsync(cancellation);
        var admins = (await db.UserRoles.Where(r => r.RoleId == StudioRoles.Admin).Select(r => r.UserId).ToListAsync(cancellation)).ToHashSet();
        var queued = await db.Runs.Where(r => r.Status == RunStatus.Queued).GroupBy(r => r.Owner)
            .Select(g => new { Owner = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Owner, g => g.Count, cancellation);
        var datasetBytes = await db.Datasets.GroupBy(d => d.Owner)
            .Select(g => new { Owner = g.Key, Bytes = g.Sum(d => d.SizeBytes) }).ToDictionaryAsync(g => g.Owner, g => g.Bytes, cancellation);
        var adapterBytes = await db.Adapters.GroupBy(a => a.Owner)
            .Select(g => new { Owner = g.Key, Bytes = g.Sum(a => a.SizeBytes) }).ToDictionaryAsync(g => g.Owner, g => g.Bytes, cancellation);
        var modelBytes = await db.BaseModels.Where(m => m.Owner != null).GroupBy(m => m.Owner!)
            .Select(g => new { Owner = g.Key, Bytes = g.Sum(m => m.SizeBytes ?? 0) }).ToDictionaryAsync(g => g.Owner, g => g.Bytes, cancellation);
        return found.Select(u => new UserSummary(
            u.Id, u.UserName!, u.Email, admins.Contains(u.Id) ? StudioRoles.Admin : StudioRoles.Member, u.IsDisabled,
            u.MaxQueuedRuns, u.MaxStorageBytes, queued.GetValueOrDefault(u.Id),
            datasetBytes.GetValueOrDefault(u.Id) + adapterBytes.GetValueOrDefault(u.Id) + modelBytes.GetValueOrDefault(u.Id), u.CreatedAt)).ToList();
    }

    static Failure AdminsOnly() => Failure.Forbidden("Admins only", "Only admins manage accounts.");

    static Failure LinkNotValid() => Failure.Invalid("The link is not valid",
        new Dictionary<string, string[]> { ["token"] = ["This link was already used, has expired, or belongs to a disabled account: ask an admin for a new one."] });
}
