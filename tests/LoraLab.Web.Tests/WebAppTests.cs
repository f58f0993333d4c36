using System.Net;

namespace LoraLab.Web.Tests;

/// <summary>
/// The whole app in memory, configured as from the environment: its data folder in a temporary directory holding
/// one model, and one more model folder registered from elsewhere.
/// </summary>
public sealed class ConfiguredStudio : IDisposable
{
    readonly TempDataFolder _data = new();

    public ConfiguredStudio()
    {
        _data.AddModel("SmolLM2-135M", TempDataFolder.SmolLm2Config);
        string externalModel = _data.AddOutsideFolder("external-model", TempDataFolder.SmolLm2Config);
        Factory = new StudioAppFactory(_data, executor: null, ("LoraLab:ModelFolders:0", externalModel));
    }

    public StudioAppFactory Factory { get; }

    public void Dispose()
    {
        Factory.Dispose();
        _data.Dispose();
    }
}

public sealed class WebAppTests(ConfiguredStudio studio) : IClassFixture<ConfiguredStudio>
{
    [Fact]
    public async Task The_models_page_renders_the_studio_with_the_models_from_the_configured_folders()
    {
        var response = await studio.Factory.CreateClient().GetAsync("/models");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string html = await response.Content.ReadAsStringAsync();
        Assert.Contains("LoRA Lab", html);
        Assert.Contains("SmolLM2-135M", html);
        Assert.Contains("external-model", html);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/datasets")]
    [InlineData("/runs")]
    [InlineData("/runs/new")]
    [InlineData("/runs/999")]
    [InlineData("/datasets/999")]
    public async Task Every_page_renders_on_the_server(string path)
    {
        var response = await studio.Factory.CreateClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("LoRA Lab", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_stylesheet_from_the_top_level_wwwroot_is_served()
    {
        var response = await studio.Factory.CreateClient().GetAsync("/app.css");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("#blazor-error-ui", await response.Content.ReadAsStringAsync());
    }
}
