using System.Text.Json;

namespace LoraLab.Web.Serving;

/// <summary>Copy-paste examples that call one served model: curl, and OpenAI's Python and JavaScript clients.</summary>
public static class ServingSnippets
{
    public const string ExamplePrompt = "Say it like a pirate.\n\nthe red cat is at the park.";

    /// <param name="baseUrl">The OpenAI base URL of the studio, ending in /v1.</param>
    /// <param name="apiKey">What to send as the key: a placeholder for a personal access token, or any text in single-user mode.</param>
    public static string Curl(string baseUrl, string model, string apiKey)
    {
        var body = JsonSerializer.Serialize(new { model, messages = new[] { new { role = "user", content = ExamplePrompt } }, max_tokens = 64 });
        return $"""
            curl {baseUrl}/chat/completions \
              -H "Content-Type: application/json" \
              -H "Authorization: Bearer {apiKey}" \
              -d '{body.Replace("'", "'\\''")}'
            """;
    }

    public static string Python(string baseUrl, string model, string apiKey) => $"""
        from openai import OpenAI

        client = OpenAI(base_url={Quoted(baseUrl)}, api_key={Quoted(apiKey)})
        stream = client.chat.completions.create(
            model={Quoted(model)},
            messages=[{"{"}"role": "user", "content": {Quoted(ExamplePrompt)}{"}"}],
            max_tokens=64,
            stream=True,
        )
        for chunk in stream:
            print(chunk.choices[0].delta.content or "", end="", flush=True)
        """;

    public static string JavaScript(string baseUrl, string model, string apiKey) => $"""
        import OpenAI from "openai";

        const client = new OpenAI({"{"} baseURL: {Quoted(baseUrl)}, apiKey: {Quoted(apiKey)} {"}"});
        const answer = await client.chat.completions.create({"{"}
          model: {Quoted(model)},
          messages: [{"{"} role: "user", content: {Quoted(ExamplePrompt)} {"}"}],
          max_tokens: 64,
        {"}"});
        console.log(answer.choices[0].message.content);
        """;

    /// <summary>A string literal valid in Python and JavaScript alike (JSON's escapes are a subset of both).</summary>
    static string Quoted(string text) => JsonSerializer.Serialize(text);
}
