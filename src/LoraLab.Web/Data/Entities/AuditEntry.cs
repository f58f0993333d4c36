namespace LoraLab.Web.Data.Entities;

public enum AuditAction
{
    RunLaunched, RunResumed, RunCancelled, RunDeleted, RunMoved,
    DatasetUploaded, DatasetDeleted, DatasetDownloaded,
    AdapterDeleted, AdapterDownloaded, AdapterImported, AdapterCombined, AdapterMerged,
    ModelDownloadStarted, ModelDeleted,
    SignedIn, SignInFailed, PasswordSet,
    UserCreated, UserInvited, PasswordResetIssued, UserDisabled, UserEnabled, RoleChanged, QuotasChanged,
    TokenCreated, TokenRevoked,
    CompletionServed,
    AdapterExported,
    SweepDeleted,
}

/// <summary>
/// Who did what, when: one row per launch, cancel, delete, download, import, combination, merge and account change.
/// The user's name is copied, so the row reads the same whatever happens to the account later.
/// </summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public DateTime At { get; set; }
    public required string UserId { get; set; }
    public required string UserName { get; set; }
    public AuditAction Action { get; set; }
    /// <summary>What the action was done to, worded for a person: "run 12 'lr sweep'".</summary>
    public required string Subject { get; set; }
}
