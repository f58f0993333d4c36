#pragma warning disable OPENAI001 // Seed is marked experimental by the client
using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LoraLab.Engine.Tokenization;
using LoraLab.Web.Accounts;
using LoraLab.Web.Serving;
using LoraLab.Web.Tests.Playground;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Chat;

namespace LoraLab.Web.Tests.Serving;

/// <summary>The OpenAI API on the demo model and adapters, driven with the official OpenAI .NET client.</summary>
public sealed class OpenAiApiTests(OpenAiStudio studio) : IClassFixture<OpenAiStudio>
{
    static ChatCompletionOptions Greedy(int maxTokens) => new() { Temperature = 0, MaxOutputTokenCount = maxTokens };

    async Task<ChatCompletion> ChatAsync(string model, string prompt, ChatCompletionOptions options, CancellationToken cancellation = default) =>
        (await studio.Client.GetChatClient(model).CompleteChatAsync([new UserChatMessage(prompt)], options, cancellation)).Value;

    [Fact]
    public async Task The_model_list_has_the_demo_base_and_each_adapter_with_the_base_as_parent_and_root()
    {
        var models = await studio.Client.GetOpenAIModelClient().GetModelsAsync();
        var raw = await studio.Http.GetFromJsonAsync<JsonElement>("/v1/models");

        var ids = models.Value.Select(m => m.Id).ToList();
        Assert.Contains(OpenAiStudio.Pirate, ids);
        Assert.Contains(OpenAiStudio.Name, ids);
        var pirate = raw.GetProperty("data").EnumerateArray().Single(m => m.GetProperty("id").GetString() == OpenAiStudio.Pirate);
        string parent = pirate.GetProperty("parent").GetString()!;
        Assert.Contains(parent, ids);
        var baseModel = raw.GetProperty("data").EnumerateArray().Single(m => m.GetProperty("id").GetString() == parent);
        Assert.Equal(JsonValueKind.Null, baseModel.GetProperty("parent").ValueKind);
        Assert.Equal("list", raw.GetProperty("object").GetString());
        Assert.Equal(parent, pirate.GetProperty("root").GetString());   // no host folder in the list
        Assert.Equal(512, pirate.GetProperty("max_model_len").GetInt32());
    }

    [Fact]
    public async Task Two_adapters_asked_at_once_are_decoded_together_and_each_gives_its_own_answer_as_alone()
    {
        var alonePirate = await ChatAsync(OpenAiStudio.Pirate, OpenAiStudio.PiratePrompt, Greedy(40));
        var aloneName = await ChatAsync(OpenAiStudio.Name, OpenAiStudio.NamePrompt, Greedy(40));

        // Held until both wait in the queue, so that they meet in one batch whatever the machine's speed.
        Task<ChatCompletion>[] asked;
        using (studio.Factory.Services.GetRequiredService<ServingScheduler>().HoldAdmission())
        {
            asked = [ChatAsync(OpenAiStudio.Pirate, OpenAiStudio.PiratePrompt, Greedy(40)), ChatAsync(OpenAiStudio.Name, OpenAiStudio.NamePrompt, Greedy(40))];
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (studio.Stats.Snapshot().QueueDepth < 2 && DateTime.UtcNow < deadline) await Task.Delay(10);
        }
        var both = await Task.WhenAll(asked);

        Assert.Equal("the red cat is at the park, arr matey!", alonePirate.Content[0].Text);
        Assert.Equal("nora", aloneName.Content[0].Text);
        Assert.Equal(alonePirate.Content[0].Text, both[0].Content[0].Text);
        Assert.Equal(aloneName.Content[0].Text, both[1].Content[0].Text);
        Assert.All(both, c => Assert.Equal(ChatFinishReason.Stop, c.FinishReason));
        Assert.Equal(alonePirate.Usage.OutputTokenCount, both[0].Usage.OutputTokenCount);
        Assert.True(both[0].Usage.InputTokenCount > 5);
        Assert.Equal(both[0].Usage.InputTokenCount + both[0].Usage.OutputTokenCount, both[0].Usage.TotalTokenCount);
        Assert.True(studio.Stats.Snapshot().PeakRows >= 2, "the two requests should have shared a decode step");
    }

    [Fact]
    public async Task A_streamed_answer_is_the_non_streamed_answer_in_pieces_with_its_usage_last()
    {
        var whole = await ChatAsync(OpenAiStudio.Pirate, OpenAiStudio.PiratePrompt, Greedy(40));

        var text = new StringBuilder();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        int updates = 0;
        await foreach (var update in studio.Client.GetChatClient(OpenAiStudio.Pirate).CompleteChatStreamingAsync([new UserChatMessage(OpenAiStudio.PiratePrompt)], Greedy(40)))
        {
            updates++;
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        Assert.Equal(whole.Content[0].Text, text.ToString());
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.True(updates > 3, $"{updates} updates: the answer should come token by token");
        Assert.Equal(whole.Usage.OutputTokenCount, usage!.OutputTokenCount);
        Assert.Equal(whole.Usage.InputTokenCount, usage.InputTokenCount);
    }

    [Fact]
    public async Task The_stream_is_server_sent_events_of_chunks_ending_with_done()
    {
        var request = new { model = OpenAiStudio.Pirate, messages = new[] { new { role = "user", content = OpenAiStudio.PiratePrompt } }, temperature = 0, max_tokens = 5, stream = true, some_future_field = 1 };

        var response = await studio.Http.PostAsJsonAsync("/v1/chat/completions", request);
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("data: [DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement).ToArray();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.Equal("assistant", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        Assert.Equal("length", chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Single(chunks.Select(c => c.GetProperty("id").GetString()).Distinct());
    }

    [Fact]
    public async Task A_client_that_cancels_mid_stream_frees_its_row_at_once()
    {
        using var cancel = new CancellationTokenSource();
        // The demo's special tokens (<|endoftext|>, <|im_start|>, <|im_end|>) banned, so the answer runs on until cancelled.
        var options = new ChatCompletionOptions { Temperature = 2, MaxOutputTokenCount = 400, Seed = 7, LogitBiases = { [0] = -100, [1] = -100, [2] = -100 } };
        int updates = 0;

        var reading = Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in studio.Client.GetChatClient(OpenAiStudio.Pirate).CompleteChatStreamingAsync([new UserChatMessage("Tell a long story.")], options, cancel.Token))
                if (++updates == 3) cancel.Cancel();
        });
        await reading;

        Assert.True(await studio.RowsFreedAsync(TimeSpan.FromSeconds(2)), "the cancelled request still holds a row");
        Assert.True(await studio.UsageRecordedAsync(e => e.Subject.EndsWith("(client went away)") && e.UserName == Caller.Local.UserName
                && !e.Subject.Contains("+ 400 completion"), TimeSpan.FromSeconds(2)),
            "the cancelled request's usage should be in the audit log as cut short, before its 400 tokens");
        var after = await ChatAsync(OpenAiStudio.Name, OpenAiStudio.NamePrompt, Greedy(40));
        Assert.Equal("nora", after.Content[0].Text);
    }

    [Fact]
    public async Task A_stop_string_ends_the_answer_before_it_and_max_tokens_ends_it_with_length()
    {
        var stopped = await ChatAsync(OpenAiStudio.Pirate, OpenAiStudio.PiratePrompt, new ChatCompletionOptions { Temperature = 0, StopSequences = { ", arr" } });
        var cut = await ChatAsync(OpenAiStudio.Pirate, OpenAiStudio.PiratePrompt, Greedy(3));

        Assert.Equal("the red cat is at the park", stopped.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, stopped.FinishReason);
        Assert.Equal(ChatFinishReason.Length, cut.FinishReason);
        Assert.Equal(3, cut.Usage.OutputTokenCount);
    }

    [Fact]
    public async Task Logit_bias_bans_the_greedy_token_for_the_runner_up_and_a_token_past_the_vocabulary_is_a_400()
    {
        var unbiased = await ChatAsync(OpenAiStudio.Pirate, OpenAiStudio.PiratePrompt,
            new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 1, IncludeLogProbabilities = true, TopLogProbabilityCount = 2 });
        var top = unbiased.ContentTokenLogProbabilities[0].TopLogProbabilities;
        var tokenizer = TokenizerLoader.Load(DemoAdapterFiles.DemoModel);
        int bestId = Enumerable.Range(0, tokenizer.VocabSize).First(id => tokenizer.Decode([id], skipSpecialTokens: false) == top[0].Token);

        var banned = await ChatAsync(OpenAiStudio.Pirate, OpenAiStudio.PiratePrompt,
            new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 1, LogitBiases = { [bestId] = -100 } });
        var outside = await Assert.ThrowsAsync<ClientResultException>(() => ChatAsync(OpenAiStudio.Pirate, OpenAiStudio.PiratePrompt,
            new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 1, LogitBiases = { [1_000_000] = 5 } }));

        Assert.Equal(top[0].Token, unbiased.Content[0].Text);
        Assert.Equal(top[1].Token, banned.Content[0].Text);
        Assert.Equal(400, outside.Status);
        Assert.Contains("logit_bias", outside.Message);
        Assert.Contains("1000000", outside.Message);
    }

    [Fact]
    public async Task Seeded_sampling_repeats_itself_and_n_choices_come_back_in_order()
    {
        var seeded = new ChatCompletionOptions { Temperature = 1.5f, TopP = 0.95f, Seed = 42, MaxOutputTokenCount = 12 };
        var first = await ChatAsync(OpenAiStudio.Pirate, "Tell a story.", seeded);
        var again = await ChatAsync(OpenAiStudio.Pirate, "Tell a story.", seeded);
        var request = new { model = OpenAiStudio.Pirate, messages = new[] { new { role = "user", content = OpenAiStudio.PiratePrompt } }, temperature = 0, n = 3 };

        var three = await (await studio.Http.PostAsJsonAsync("/v1/chat/completions", request)).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(first.Content[0].Text, again.Content[0].Text);
        var choices = three.GetProperty("choices").EnumerateArray().ToArray();
        Assert.Equal([0, 1, 2], choices.Select(c => c.GetProperty("index").GetInt32()));
        Assert.All(choices, c => Assert.Equal("the red cat is at the park, arr matey!", c.GetProperty("message").GetProperty("content").GetString()));
    }

    [Fact]
    public async Task Log_probabilities_come_per_token_with_the_alternatives_asked_for()
    {
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 4, IncludeLogProbabilities = true, TopLogProbabilityCount = 2 };

        var answer = await ChatAsync(OpenAiStudio.Pirate, OpenAiStudio.PiratePrompt, options);

        Assert.Equal(4, answer.ContentTokenLogProbabilities.Count);
        Assert.Equal(answer.Content[0].Text, string.Concat(answer.ContentTokenLogProbabilities.Select(t => t.Token)));
        Assert.All(answer.ContentTokenLogProbabilities, t =>
        {
            Assert.True(t.LogProbability <= 0);
            Assert.Equal(2, t.TopLogProbabilities.Count);
            Assert.Equal(t.Token, t.TopLogProbabilities[0].Token);   // greedy picks the most likely
        });
    }

    [Fact]
    public async Task A_text_completion_continues_the_raw_prompt()
    {
        var request = new { model = OpenAiStudio.Pirate, prompt = "the red cat", max_tokens = 6, temperature = 0, logprobs = 1 };

        var response = await studio.Http.PostAsJsonAsync("/v1/completions", request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text_completion", body.GetProperty("object").GetString());
        var choice = body.GetProperty("choices")[0];
        Assert.False(string.IsNullOrEmpty(choice.GetProperty("text").GetString()));
        Assert.Equal(body.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), choice.GetProperty("logprobs").GetProperty("tokens").GetArrayLength());
    }

    [Fact]
    public async Task An_unknown_model_is_a_404_with_openais_error_body()
    {
        var failure = await Assert.ThrowsAsync<ClientResultException>(() => ChatAsync("no-such-adapter", "hi", Greedy(4)));

        Assert.Equal(404, failure.Status);
        var error = JsonDocument.Parse(failure.GetRawResponse()!.Content.ToString()).RootElement.GetProperty("error");
        Assert.Equal("model_not_found", error.GetProperty("code").GetString());
        Assert.Equal("model", error.GetProperty("param").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Contains("no-such-adapter", error.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("""{"model":"demo pirate-style","messages":[{"role":"user","content":"hi"}],"temperature":3}""", "temperature")]
    [InlineData("""{"model":"demo pirate-style","messages":[{"role":"user","content":"hi"}],"max_tokens":0}""", "max_tokens")]
    [InlineData("""{"model":"demo pirate-style","messages":[]}""", "messages")]
    [InlineData("""{"model":"demo pirate-style","messages":[{"role":"wizard","content":"hi"}]}""", "messages[0].role")]
    [InlineData("""{"model":"demo pirate-style","messages":[{"role":"user","content":"hi"}],"stop":["a","b","c","d","e"]}""", "stop")]
    [InlineData("""{"model":"demo pirate-style","messages":[{"role":"user","content":"hi"}],"n":"two"}""", "n")]
    [InlineData("""{"model":"demo pirate-style","messages":[{"role":"user","content":"hi"}],"max_tokens":100000}""", "max_tokens")]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}]}""", "model")]
    public async Task A_bad_value_is_a_400_with_openais_error_body_naming_the_field(string body, string param)
    {
        var response = await studio.Http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.True(error.TryGetProperty("code", out _));
    }
}
