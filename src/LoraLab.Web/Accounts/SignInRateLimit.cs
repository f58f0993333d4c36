using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Accounts;

/// <summary>
/// Sign-in attempts (the POSTs of the sign-in, setup and set-password forms) per client address: at most
/// LoraLab:Accounts:SignInAttemptsPerMinute a minute; the next get 429 with a sentence saying when to try again.
/// Showing the forms (GET) is not limited. Identity's lockout separately stops guessing one account's password.
/// </summary>
public static class SignInRateLimit
{
    public const string Policy = "sign-in";

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    public const string Message = "Too many sign-in attempts from this address. Wait a minute, then try again.";

    public static IServiceCollection AddSignInRateLimit(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<AccountsOptions>>((limiter, accounts) =>
        {
            int attempts = accounts.Value.SignInAttemptsPerMinute;
            limiter.AddPolicy(Policy, context => HttpMethods.IsPost(context.Request.Method)
                ? RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = attempts, Window = Window, QueueLimit = 0 })
                : RateLimitPartition.GetNoLimiter(""));
            limiter.OnRejected = async (rejected, cancellation) =>
            {
                var response = rejected.HttpContext.Response;
                response.StatusCode = StatusCodes.Status429TooManyRequests;
                response.Headers.RetryAfter = ((int)Window.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                response.ContentType = "text/plain; charset=utf-8";
                await response.WriteAsync(Message, cancellation);
            };
        });
        return services;
    }
}
