using System.Security.Cryptography;

namespace LoraLab.Web.Accounts;

/// <summary>
/// Headers every response carries: no MIME sniffing, no framing by other sites, no referrer to other origins, and a
/// Content-Security-Policy that Blazor Server and MudBlazor work under: scripts only from the studio (plus the import
/// map, which carries this response's nonce), inline styles (MudBlazor sets style attributes and its theme's
/// &lt;style&gt;), and connections (the circuit's WebSocket) only back to the studio.
/// </summary>
public static class SecurityHeaders
{
    const string NonceKey = "LoraLab.CspNonce";

    /// <summary>The nonce of this response's Content-Security-Policy, for the one inline script (the import map).</summary>
    public static string? NonceOf(HttpContext context) => context.Items[NonceKey] as string;

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        // Hex is valid nonce syntax and, unlike base64's '+', needs no HTML encoding in the attribute.
        string nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        context.Items[NonceKey] = nonce;
        // On starting, not now: an exception handler clears the headers of the response it replaces.
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            headers.ContentSecurityPolicy = string.Join("; ",
                "default-src 'self'",
                $"script-src 'self' 'nonce-{nonce}'",
                "style-src 'self' 'unsafe-inline'",
                "img-src 'self' data:",
                "font-src 'self' data:",
                "connect-src 'self'",
                "object-src 'none'",
                "base-uri 'self'",
                "form-action 'self'",
                "frame-ancestors 'none'");
            return Task.CompletedTask;
        });
        await next(context);
    });
}
