using LoraLab.Engine.Hub;

namespace LoraLab.Web.Models;

/// <summary>A download refused before it started, as a studio failure: under the form field it concerns when there is one.</summary>
static class HubDownloadFailures
{
    public static Failure ToFailure(this HubDownloadException e) => e.Failure switch
    {
        HubFailure.RepositoryNotFound or HubFailure.GatedRepository or HubFailure.NotSupported => Failure.InvalidField("repoId", e.Message),
        HubFailure.RevisionNotFound => Failure.InvalidField("revision", e.Message),
        HubFailure.InvalidToken => new Failure(FailureKind.Invalid, "The Hub refused the access token", e.Message),
        HubFailure.DiskFull => new Failure(FailureKind.TooLarge, "Not enough free disk space", e.Message),
        _ => new Failure(FailureKind.Unavailable, "The Hub could not be read", e.Message),
    };
}
