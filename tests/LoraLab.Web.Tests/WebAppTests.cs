using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace LoraLab.Web.Tests;

/// <summary>
/// The whole app in memory, configured as from the environment: its data folder in a temporary directory holding
/// one model, and one more model folder registered from elsewhere.
/// </summary>
public sealed class LoraLabAppFactory : WebApplicationFactory<Program>
{
    readonly TempDataFolder _data = new();

    readonly string _externalModel;

    public LoraLabAppFactory()
    {
        _data.AddModel("SmolLM2-135M", TempDataFolder.SmolLm2Config);
        _externalModel = _data.AddOutsideFolder("external-model", TempDataFolder.SmolLm2Config);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder) =>
        builder.UseSetting("LoraLab:DataPath", _data.Path)
            .UseSetting("LoraLab:Device", "cpu")
            .UseSetting("LoraLab:ModelFolders:0", _externalModel);

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _data.Dispose();
    }
}

public sealed class WebAppTests(LoraLabAppFactory factory) : IClassFixture<LoraLabAppFactory>
{
    [Fact]
    public async Task Health_answers_ok()
    {
        var response = await factory.CreateClient().GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_home_page_renders_the_studio_with_the_models_from_the_configured_folders()
    {
        var response = await factory.CreateClient().GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string html = await response.Content.ReadAsStringAsync();
        Assert.Contains("LoRA Lab", html);
        Assert.Contains("SmolLM2-135M", html);
        Assert.Contains("external-model", html);
    }

    [Fact]
    public async Task The_stylesheet_from_the_top_level_wwwroot_is_served()
    {
        var response = await factory.CreateClient().GetAsync("/app.css");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("#blazor-error-ui", await response.Content.ReadAsStringAsync());
    }
}
