using System.Security.Cryptography;
using System.Text;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Accounts;

/// <summary>
/// The first admin of a studio with accounts. At start-up, when no admin can sign in yet, it is created from
/// LoraLab:Accounts:AdminUserName and AdminPassword; without them a one-time setup link is logged, which the person
/// at the console opens to create the admin. The link stops working once used, and with the process.
/// </summary>
public sealed class FirstAdmin(
    IServiceScopeFactory scopes, IDbContextFactory<LoraLabDbContext> dbFactory, IOptions<AccountsOptions> options,
    AuditLog audit, TimeProvider clock, ILogger<FirstAdmin> logger)
{
    public const string SetupPath = "/account/setup";

    readonly Lock _lock = new();
    string? _setupToken;

    /// <summary>True while the setup link works.</summary>
    public bool SetupPending
    {
        get
        {
            lock (_lock) return _setupToken is not null;
        }
    }

    public async Task EnsureAsync(CancellationToken cancellation = default)
    {
        if (await HasAdminAsync(cancellation)) return;
        var (name, password) = (options.Value.AdminUserName, options.Value.AdminPassword);
        if (!string.IsNullOrWhiteSpace(name) && !string.IsNullOrEmpty(password))
        {
            var created = await CreateAsync(name, password, cancellation);
            if (created.Failure is null)
            {
                logger.LogInformation("Admin '{Name}' created from LoraLab:Accounts:AdminUserName.", name);
                return;
            }
            logger.LogError("The admin from LoraLab:Accounts:AdminUserName ('{Name}') was not created: {Detail}", name, created.Failure.Detail);
        }
        string token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        lock (_lock) _setupToken = token;
        logger.LogWarning(
            "The studio has no admin yet. Open {Path}?token={Token} on this studio to create one (the link works once, until the studio restarts), " +
            "or set LoraLab:Accounts:AdminUserName and AdminPassword.", SetupPath, token);
    }

    /// <summary>Creates the admin through the setup link.</summary>
    public async Task<Result<StudioUser>> SetUpAsync(string? token, string userName, string password, CancellationToken cancellation = default)
    {
        lock (_lock)
        {
            if (_setupToken is null || token is null
                || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(_setupToken)))
                return Failure.Invalid("The setup link is not valid", new Dictionary<string, string[]>
                {
                    ["token"] = ["This setup link was already used or is from an earlier start of the studio: use the one in its latest log."],
                });
        }
        var created = await CreateAsync(userName, password, cancellation);
        if (created.Failure is null)
            lock (_lock) _setupToken = null;
        return created;
    }

    async Task<bool> HasAdminAsync(CancellationToken cancellation)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        return await db.UserRoles.AnyAsync(r => r.RoleId == StudioRoles.Admin && r.UserId != LocalUser.Id, cancellation);
    }

    async Task<Result<StudioUser>> CreateAsync(string userName, string password, CancellationToken cancellation)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StudioUser>>();
        var user = new StudioUser { UserName = userName.Trim(), CreatedAt = clock.GetUtcNow().UtcDateTime };
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded)
            return IdentityFailure.From("The admin could not be created", created);
        await users.AddToRoleAsync(user, StudioRoles.Admin);
        await audit.RecordAsync(new Caller(user.Id, user.UserName!, true), AuditAction.UserCreated, $"user '{user.UserName}' (admin, the first)", cancellation);
        return user;
    }
}
