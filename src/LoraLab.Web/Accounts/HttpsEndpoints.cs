namespace LoraLab.Web.Accounts;

/// <summary>
/// Whether the studio itself serves HTTPS (--urls / ASPNETCORE_URLS with an https:// address, ASPNETCORE_HTTPS_PORTS,
/// or a Kestrel:Endpoints entry): only then are HTTP requests redirected, HSTS sent and cookies marked Secure-only.
/// Behind a TLS-terminating proxy the studio serves plain HTTP and leaves those to the proxy.
/// </summary>
public static class HttpsEndpoints
{
    public static bool AreConfigured(IConfiguration configuration) =>
        (configuration["urls"] ?? "").Contains("https://", StringComparison.OrdinalIgnoreCase)
        || !string.IsNullOrWhiteSpace(configuration["https_ports"])
        || configuration.GetSection("Kestrel:Endpoints").GetChildren()
            .Any(endpoint => endpoint["Url"]?.StartsWith("https://", StringComparison.OrdinalIgnoreCase) == true);
}
