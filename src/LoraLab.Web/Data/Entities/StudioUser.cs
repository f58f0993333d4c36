using Microsoft.AspNetCore.Identity;

namespace LoraLab.Web.Data.Entities;

/// <summary>
/// A person who signs in to the studio (ASP.NET Core Identity), with the quotas an admin set; null quotas fall back to
/// LoraLab:Accounts:DefaultMaxQueuedRuns and DefaultMaxStorageBytes. A disabled account cannot sign in or use its tokens.
/// </summary>
public sealed class StudioUser : IdentityUser
{
    public bool IsDisabled { get; set; }

    /// <summary>How many of this user's runs may wait in the queue at once.</summary>
    public int? MaxQueuedRuns { get; set; }

    /// <summary>How many bytes of datasets, adapters and merged models this user may keep.</summary>
    public long? MaxStorageBytes { get; set; }

    public DateTime CreatedAt { get; set; }
}
