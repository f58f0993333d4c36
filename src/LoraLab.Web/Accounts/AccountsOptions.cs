namespace LoraLab.Web.Accounts;

/// <summary>
/// The "LoraLab:Accounts" configuration section: the first admin, the default quotas and the sign-in rate limit.
/// Used only when LoraLab:SingleUser is false.
/// </summary>
public sealed record AccountsOptions
{
    public const string Section = "LoraLab:Accounts";

    /// <summary>The first admin, created at start-up when the studio has none. Without it, a one-time setup link is logged.</summary>
    public string? AdminUserName { get; init; }

    public string? AdminPassword { get; init; }

    /// <summary>Runs one user may have waiting in the queue at once, unless an admin set theirs; null for no limit.</summary>
    public int? DefaultMaxQueuedRuns { get; init; }

    /// <summary>Bytes of datasets, adapters and merged models one user may keep, unless an admin set theirs; null for no limit.</summary>
    public long? DefaultMaxStorageBytes { get; init; }

    /// <summary>Sign-in attempts one address may make per minute; the next ones get 429 until the minute is over.</summary>
    public int SignInAttemptsPerMinute { get; init; } = 10;

    /// <summary>How long an invitation or password-reset link works (it works once).</summary>
    public TimeSpan LinkLifetime { get; init; } = TimeSpan.FromDays(3);
}
