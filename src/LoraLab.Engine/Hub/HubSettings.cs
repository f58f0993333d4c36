namespace LoraLab.Engine.Hub;

/// <summary>Where the Hub is and the access token sent to it (private and gated repositories need one).</summary>
public sealed record HubSettings
{
    public static readonly Uri DefaultEndpoint = new("https://huggingface.co");

    public HubSettings(Uri endpoint, string? token = null)
    {
        if (!endpoint.IsAbsoluteUri || endpoint.Scheme is not ("http" or "https"))
            throw new HubDownloadException(HubFailure.InvalidRequest, $"The Hub endpoint '{endpoint}' is not an http or https address.");
        // Relative URLs are resolved against the endpoint, so it must end with '/' to keep a path prefix (a mirror under /hf/).
        Endpoint = endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
        Token = string.IsNullOrWhiteSpace(token) ? null : token.Trim();
    }

    public Uri Endpoint { get; }
    public string? Token { get; }

    /// <summary>The endpoint as people write it, without the trailing slash.</summary>
    public string EndpointText => Endpoint.AbsoluteUri.TrimEnd('/');

    /// <summary>
    /// The given values first, then the environment variables huggingface_hub reads (HF_ENDPOINT, HF_TOKEN), then
    /// https://huggingface.co without a token.
    /// </summary>
    public static HubSettings Resolve(string? endpoint = null, string? token = null)
    {
        string? address = FirstSet(endpoint, Environment.GetEnvironmentVariable("HF_ENDPOINT"));
        if (address is not null && !Uri.TryCreate(address, UriKind.Absolute, out _))
            throw new HubDownloadException(HubFailure.InvalidRequest, $"The Hub endpoint '{address}' is not an absolute http or https address.");
        return new HubSettings(address is null ? DefaultEndpoint : new Uri(address), FirstSet(token, Environment.GetEnvironmentVariable("HF_TOKEN")));
    }

    static string? FirstSet(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();

    // The token stays out of logs and exception messages that print records.
    public override string ToString() => $"HubSettings {{ Endpoint = {EndpointText}, Token = {(Token is null ? "none" : "set")} }}";
}
