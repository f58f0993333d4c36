using System.ClientModel;
using System.Text.Json;
using LoraLab.Web.Accounts;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Tests.Accounts;
using LoraLab.Web.Tests.Playground;
using Microsoft.AspNetCore.Mvc.Testing;
using OpenAI.Chat;

namespace LoraLab.Web.Tests.Serving;

/// <summary>The OpenAI API of a team studio: personal access tokens are the API keys, and usage counts against their owner.</summary>
public sealed class OpenAiTeamModeTests : IDisposable
{
    readonly TeamStudio _team = TeamStudio.With(null, ("LoraLab:RegisterDemo", "true"), ("LoraLab:DemoModelPath", DemoAdapterFiles.DemoModel),
        ("LoraLab:DemoAdaptersPath", DemoAdapterFiles.BundledAdapters));

    [Fact]
    public async Task A_members_token_is_their_api_key_and_their_requests_are_in_the_audit_log_under_their_name()
    {
        var member = await _team.AddUserAsync("mia");
        var token = await _team.Service<AccessTokenStore>().CreateAsync(member, "openai");
        var client = OpenAiStudio.ClientFor(_team.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }), token.Value!.Secret);

        var answer = await client.GetChatClient(OpenAiStudio.Pirate).CompleteChatAsync([new UserChatMessage(OpenAiStudio.PiratePrompt)],
            new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 20 });
        var entries = await _team.Service<AuditLog>().ListAsync(member.UserId, AuditAction.CompletionServed);

        Assert.Equal("the red cat is at the park, arr matey!", answer.Value.Content[0].Text);
        var entry = Assert.Single(entries);
        Assert.Equal("mia", entry.UserName);
        Assert.Equal($"chat completion with '{OpenAiStudio.Pirate}': {answer.Value.Usage.InputTokenCount} prompt + {answer.Value.Usage.OutputTokenCount} completion tokens", entry.Subject);
    }

    [Fact]
    public async Task A_wrong_key_is_a_401_in_openais_error_shape()
    {
        await _team.AdminAsync();
        var client = OpenAiStudio.ClientFor(_team.SignedOut(), "llt_not-a-token");

        var failure = await Assert.ThrowsAsync<ClientResultException>(() => client.GetOpenAIModelClient().GetModelsAsync());

        Assert.Equal(401, failure.Status);
        var error = JsonDocument.Parse(failure.GetRawResponse()!.Content.ToString()).RootElement.GetProperty("error");
        Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
        Assert.Contains("not valid", error.GetProperty("message").GetString());
    }

    public void Dispose() => _team.Dispose();
}
