using System.Net;

namespace LoraLab.Engine.Hub;

/// <summary>
/// A refused Hub request as one sentence. The Hub names its reason in the X-Error-Code header (RepoNotFound,
/// RevisionNotFound, EntryNotFound, GatedRepo); without a token it answers 401 for private and missing repositories alike.
/// </summary>
static class HubErrors
{
    const string TokenHint = "an access token (HF_TOKEN)";

    public static HubDownloadException Refused(HttpResponseMessage response, HubSettings settings, HubRepoId repo, string revision, string? file)
    {
        string? code = Header(response, "X-Error-Code");
        string? message = Header(response, "X-Error-Message");
        int status = (int)response.StatusCode;
        bool tokenSent = settings.Token is not null;
        string page = $"{settings.EndpointText}/{repo}";
        string answer = $"{status} {response.ReasonPhrase}".TrimEnd();

        if (code == "GatedRepo")
            return new(HubFailure.GatedRepository, tokenSent
                ? $"'{repo}' is a gated repository and the access token's account may not read it yet: request access on {page}."
                : $"'{repo}' is a gated repository: accept its terms on {page}, then give {TokenHint}.");
        if (code == "RevisionNotFound")
            return new(HubFailure.RevisionNotFound, $"'{repo}' has no branch, tag or commit '{revision}'.");
        if (code == "EntryNotFound")
            return new(HubFailure.ConnectionLost, $"'{repo}' no longer holds '{file}' at revision '{revision}'; start the download again to read its file list anew.");
        if (status == 401 && tokenSent && (code is null || message == "Invalid credentials in Authorization header"))
            return new(HubFailure.InvalidToken, $"{settings.Endpoint.Host} refused the access token ({answer}); check HF_TOKEN or the configured token.");
        if (code == "RepoNotFound" || status is 401 or 404)
            return new(HubFailure.RepositoryNotFound, tokenSent
                ? $"There is no model repository '{repo}' on {settings.EndpointText} that the access token can read."
                : $"There is no model repository '{repo}' on {settings.EndpointText}, or it is private and needs {TokenHint}.");
        if (status == 403)
            return new(HubFailure.GatedRepository, $"{settings.Endpoint.Host} refused access to '{repo}' ({answer}); it may need {TokenHint} with permission to read it.");
        if (status == 429)
            return new(HubFailure.ConnectionLost, $"{settings.Endpoint.Host} is limiting requests ({answer}); wait a minute, then resume to continue.");
        string what = file is null ? $"the file list of '{repo}'" : $"'{file}' of '{repo}'";
        return new(HubFailure.ConnectionLost, $"{settings.Endpoint.Host} answered {answer} for {what}; resume to continue.");
    }

    static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
