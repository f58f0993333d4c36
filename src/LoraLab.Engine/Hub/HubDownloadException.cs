namespace LoraLab.Engine.Hub;

/// <summary>Why a download from the Hub stopped; callers choose how to answer (a form field, an HTTP status, an exit code).</summary>
public enum HubFailure
{
    /// <summary>The repository id, revision or endpoint given is malformed.</summary>
    InvalidRequest,
    /// <summary>The repository does not exist, or is private and no token (or a token without access) was sent.</summary>
    RepositoryNotFound,
    RevisionNotFound,
    /// <summary>A gated repository whose terms the token's account has not accepted, or no token at all.</summary>
    GatedRepository,
    /// <summary>The Hub refused the token itself.</summary>
    InvalidToken,
    /// <summary>The repository is not a model this engine can load: no config.json, no safetensors, no tokenizer, an unsupported architecture.</summary>
    NotSupported,
    /// <summary>There is not enough free space, or the disk filled up while writing.</summary>
    DiskFull,
    /// <summary>The connection failed, stalled or ended early, or the server answered with an error: starting again resumes.</summary>
    ConnectionLost,
    /// <summary>A file arrived with another size or sha256 than the Hub lists; its partial file was deleted.</summary>
    Corrupt,
}

/// <summary>A download failure as one sentence for the person who asked, naming the repository, file or value concerned.</summary>
public sealed class HubDownloadException(HubFailure failure, string message, Exception? inner = null) : Exception(message, inner)
{
    public HubFailure Failure { get; } = failure;
}
