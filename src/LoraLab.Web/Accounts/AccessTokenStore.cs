using System.Security.Cryptography;
using System.Text;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace LoraLab.Web.Accounts;

public sealed record AccessTokenSummary(int Id, string Name, string Hint, DateTime CreatedAt, DateTime? LastUsedAt);

/// <summary>A token just created: <paramref name="Secret"/> is shown this once and never stored.</summary>
public sealed record CreatedAccessToken(AccessTokenSummary Token, string Secret);

/// <summary>
/// Personal access tokens: 256 random bits with a "llt_" prefix, stored as their SHA-256 (a secret that random needs
/// no slow hash). Each user sees and revokes only their own.
/// </summary>
public sealed class AccessTokenStore(IDbContextFactory<LoraLabDbContext> dbFactory, TimeProvider clock)
{
    public const string Prefix = "llt_";
    public const int MaxNameLength = 100;

    /// <summary>Last-used times are written at most this often per token, so scripts polling the API do not write on every call.</summary>
    static readonly TimeSpan UsageResolution = TimeSpan.FromMinutes(1);

    DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<IReadOnlyList<AccessTokenSummary>> ListAsync(Caller caller, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        return await db.AccessTokens.AsNoTracking().Where(t => t.UserId == caller.UserId).OrderByDescending(t => t.Id)
            .Select(t => new AccessTokenSummary(t.Id, t.Name, t.Hint, t.CreatedAt, t.LastUsedAt)).ToListAsync(cancellation);
    }

    public async Task<Result<CreatedAccessToken>> CreateAsync(Caller caller, string? name, CancellationToken cancellation = default)
    {
        name = name?.Trim();
        if (string.IsNullOrEmpty(name)) return Failure.InvalidField("name", "A token needs a name, such as the script that will use it.");
        if (name.Length > MaxNameLength) return Failure.InvalidField("name", $"The name has {name.Length} characters; at most {MaxNameLength} are allowed.");

        string secret = Prefix + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var token = new AccessToken { UserId = caller.UserId, Name = name, Hash = Hash(secret), Hint = secret[..(Prefix.Length + 4)] + "…", CreatedAt = Now };
        db.AccessTokens.Add(token);
        db.AuditEntries.Add(AuditLog.Entry(caller, AuditAction.TokenCreated, $"token '{name}'", Now));
        await db.SaveChangesAsync(cancellation);
        return new CreatedAccessToken(new AccessTokenSummary(token.Id, token.Name, token.Hint, token.CreatedAt, null), secret);
    }

    /// <summary>Deletes one of the caller's tokens; scripts using it get 401 from then on.</summary>
    public async Task<Result<AccessTokenSummary>> RevokeAsync(Caller caller, int tokenId, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var token = await db.AccessTokens.FirstOrDefaultAsync(t => t.Id == tokenId && t.UserId == caller.UserId, cancellation);
        if (token is null) return Failure.NotFound("Access token", tokenId);
        db.AccessTokens.Remove(token);
        db.AuditEntries.Add(AuditLog.Entry(caller, AuditAction.TokenRevoked, $"token '{token.Name}'", Now));
        await db.SaveChangesAsync(cancellation);
        return new AccessTokenSummary(token.Id, token.Name, token.Hint, token.CreatedAt, token.LastUsedAt);
    }

    /// <summary>The user a token belongs to, or null for a token that was revoked or never issued.</summary>
    public async Task<StudioUser?> FindUserAsync(string secret, CancellationToken cancellation = default)
    {
        if (!secret.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        string hash = Hash(secret);
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var token = await db.AccessTokens.Include(t => t.User).FirstOrDefaultAsync(t => t.Hash == hash, cancellation);
        if (token is null) return null;
        if (token.LastUsedAt is not { } used || Now - used >= UsageResolution)
        {
            token.LastUsedAt = Now;
            await db.SaveChangesAsync(cancellation);
        }
        return token.User;
    }

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
