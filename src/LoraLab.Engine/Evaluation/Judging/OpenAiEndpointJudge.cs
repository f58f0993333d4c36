using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI;
using OpenAI.Chat;

namespace LoraLab.Engine.Evaluation.Judging;

/// <summary>
/// An external OpenAI-compatible endpoint (OpenAI, vLLM, llama.cpp's server, another studio) as the judge, through the
/// official OpenAI client: one chat completion per judgment, temperature 0, as MT-Bench asks its judges.
/// </summary>
public sealed class OpenAiEndpointJudge : IJudgeModel
{
    readonly ChatClient chat;
    readonly Uri endpoint;
    readonly int maxOutputTokens;

    /// <param name="endpoint">The API's base address, e.g. https://api.openai.com/v1.</param>
    /// <param name="http">The HTTP client to send with (the caller's proxy, handler and timeout); a new one when null.</param>
    public OpenAiEndpointJudge(Uri endpoint, string model, string? apiKey, HttpClient? http = null, int maxOutputTokens = 512)
    {
        if (!endpoint.IsAbsoluteUri || endpoint.Scheme is not ("http" or "https"))
            throw new ArgumentException($"The judge endpoint must be an http or https address; got '{endpoint}'.", nameof(endpoint));
        if (string.IsNullOrWhiteSpace(model)) throw new ArgumentException("Name the judge endpoint's model.", nameof(model));
        this.endpoint = endpoint;
        this.maxOutputTokens = maxOutputTokens;
        var options = new OpenAIClientOptions { Endpoint = endpoint, RetryPolicy = new ClientRetryPolicy(maxRetries: 1) };
        if (http is not null) options.Transport = new HttpClientPipelineTransport(http);
        // An endpoint without keys (a local server) still needs a credential object; it ignores the header.
        chat = new ChatClient(model, new ApiKeyCredential(string.IsNullOrEmpty(apiKey) ? "none" : apiKey), options);
        Name = $"{model} at {endpoint.Host}";
    }

    public string Name { get; }

    /// <exception cref="InvalidOperationException">The endpoint refused the request or could not be reached, with its reason.</exception>
    public async Task<string> CompleteAsync(string system, string user, CancellationToken cancellation)
    {
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = maxOutputTokens };
        try
        {
            ChatCompletion completion = await chat.CompleteChatAsync([new SystemChatMessage(system), new UserChatMessage(user)], options, cancellation);
            return string.Concat(completion.Content.Select(part => part.Text));
        }
        catch (ClientResultException refused)
        {
            throw new InvalidOperationException($"The judge endpoint {endpoint} answered {refused.Status}: {refused.Message}", refused);
        }
        catch (HttpRequestException unreachable)
        {
            throw new InvalidOperationException($"The judge endpoint {endpoint} could not be reached: {unreachable.Message}", unreachable);
        }
    }
}
