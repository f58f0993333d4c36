using System.Text.Json;
using Bunit;
using LoraLab.Web.Adapters;
using LoraLab.Web.Components.Pages.Serving;
using LoraLab.Web.Serving;
using Microsoft.Extensions.DependencyInjection;

namespace LoraLab.Web.Tests.Components.Pages;

public sealed class ServingPageTests : StudioComponentContext
{
    readonly ServingStats _stats = new(TimeProvider.System);

    public ServingPageTests()
    {
        Services.AddSingleton(_stats);
        Services.AddSingleton(new ServedModelCatalog(Registry, new AdapterStore(DbFactory, Quotas, TimeProvider.System, new LoraLab.Web.Storage.DataFolder(Data.Path))));
    }

    [Fact]
    public async Task The_snippets_call_the_chosen_model_at_the_studios_v1_address_with_the_same_request()
    {
        await AddSmolLm2Async();

        var page = Render<ServingPage>();
        page.WaitForElement("#snippet-curl");

        string curl = page.Find("#snippet-curl").TextContent;
        Assert.Equal("http://localhost/v1", page.Find("#base-url").TextContent);
        Assert.Contains("curl http://localhost/v1/chat/completions", curl);
        var body = JsonDocument.Parse(curl[(curl.IndexOf("-d '") + 4)..curl.LastIndexOf('\'')]).RootElement;
        Assert.Equal("SmolLM2-135M", body.GetProperty("model").GetString());
        Assert.Equal(ServingSnippets.ExamplePrompt, body.GetProperty("messages")[0].GetProperty("content").GetString());
    }

    [Fact]
    public void The_counters_show_what_the_serving_thread_reported_and_nothing_loaded_says_so()
    {
        _stats.Queue(depth: 3, rows: 4);
        _stats.TokensGenerated(50);
        _stats.RequestServed();

        var page = Render<ServingPage>();

        Assert.Equal("3", page.Find("#queue-depth").TextContent);
        Assert.Equal("4", page.Find("#running-rows").TextContent);
        Assert.Equal("5.0", page.Find("#tokens-per-second").TextContent);   // 50 tokens over the 10 s window
        Assert.Equal("1", page.Find("#requests-served").TextContent);
        page.Find("#nothing-loaded");
    }

    [Fact]
    public void Loaded_adapters_are_listed_under_their_base()
    {
        _stats.Loaded("demo", ["demo pirate-style", "demo extract-name"]);

        var page = Render<ServingPage>();

        Assert.Equal("demo", page.Find("#loaded-base").TextContent);
        Assert.Equal(["demo pirate-style", "demo extract-name"], page.FindAll(".loaded-adapter").Select(c => c.TextContent.Trim()));
    }
}
