namespace LoraLab.Web.Data.Entities;

/// <summary>
/// A personal access token a script sends as <c>Authorization: Bearer …</c>. Only the SHA-256 of the secret is stored:
/// the secret itself is shown once, when the token is created.
/// </summary>
public sealed class AccessToken
{
    public int Id { get; set; }
    public required string UserId { get; set; }
    public StudioUser User { get; set; } = null!;
    public required string Name { get; set; }
    /// <summary>Hex SHA-256 of the secret.</summary>
    public required string Hash { get; set; }
    /// <summary>The secret's first characters, so its owner can tell tokens apart.</summary>
    public required string Hint { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
}
