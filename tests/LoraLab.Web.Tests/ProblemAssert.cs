using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http;

namespace LoraLab.Web.Tests;

public static class ProblemAssert
{
    /// <summary>Checks the status and the ProblemDetails media type, and reads the body (with "errors" for validation problems).</summary>
    public static async Task<HttpValidationProblemDetails> ReadAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<HttpValidationProblemDetails>(TestJson.Options))!;
        Assert.Equal((int)status, problem.Status);
        return problem;
    }
}
