using LoraLab.Web.Accounts;
using LoraLab.Web.Data.Entities;

namespace LoraLab.Web.Serving;

/// <summary>
/// Counts each served request against its caller (the owner of the access token, in team mode) in the audit log:
/// which model, which endpoint, and the prompt and completion tokens, also for a client that went away midway.
/// </summary>
public sealed class ServingUsage(AuditLog audit, ILogger<ServingUsage> logger)
{
    public async Task RecordAsync(Caller caller, CompletionRequest request, int promptTokens, int completionTokens, bool completed)
    {
        string endpoint = request.Kind == CompletionKind.Chat ? "chat completion" : "completion";
        string subject = $"{endpoint} with '{request.Model}': {promptTokens} prompt + {completionTokens} completion tokens{(completed ? "" : " (client went away)")}";
        try
        {
            // The client may be gone; its usage still counts.
            await audit.RecordAsync(caller, AuditAction.CompletionServed, subject, CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Serving: the usage of {User} could not be recorded: {Subject}", caller.UserName, subject);
        }
    }
}
