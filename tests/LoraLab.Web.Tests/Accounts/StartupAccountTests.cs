using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using LoraLab.Web.Accounts;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LoraLab.Web.Tests.Accounts;

/// <summary>The first admin of a studio without one, the sign-in rate limit, and single-user mode.</summary>
public sealed partial class StartupAccountTests : IDisposable
{
    readonly TempDataFolder _data = new();

    [Fact]
    public async Task Without_a_configured_admin_the_logged_setup_link_creates_one_and_works_once()
    {
        var log = new CapturedLog();
        using var app = new StudioAppFactory(_data, null, ("LoraLab:SingleUser", "false"))
            .WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(log)));
        var browser = new FormClient(app);
        string link = SetupLink().Match(log.Text(app)).Value;
        (string, string)[] fields = [("Input.UserName", "zoe"), ("Input.Password", "zoes-password"), ("Input.Confirm", "zoes-password")];

        var created = await browser.SubmitAsync(link, "setup", fields);
        var usersPage = await browser.Http.GetAsync("/admin/users");
        var reused = await new FormClient(app).Http.GetStringAsync(link);

        Assert.Equal("/admin/users", FormClient.RedirectTarget(created));
        Assert.Equal(HttpStatusCode.OK, usersPage.StatusCode);
        Assert.Contains("The studio has an admin already.", reused);
        Assert.Equal(StudioRoles.Admin, (await app.Services.GetRequiredService<UserAdministration>().ListAsync()).Single(u => u.UserName == "zoe").Role);
    }

    [Fact]
    public async Task A_wrong_setup_token_creates_nobody()
    {
        using var app = new StudioAppFactory(_data, null, ("LoraLab:SingleUser", "false"));

        var answer = await new FormClient(app).SubmitAsync("/account/setup?token=guessed", "setup",
            ("Input.UserName", "mallory"), ("Input.Password", "mallorys-password"), ("Input.Confirm", "mallorys-password"));

        Assert.Contains("This setup link was already used or is from an earlier start of the studio", await answer.Content.ReadAsStringAsync());
        Assert.Empty(await app.Services.GetRequiredService<UserAdministration>().ListAsync());
    }

    [Fact]
    public async Task Sign_in_attempts_beyond_the_limit_get_429_with_a_sentence_while_the_form_still_shows()
    {
        using var app = new StudioAppFactory(_data, null, ("LoraLab:SingleUser", "false"), ("LoraLab:Accounts:SignInAttemptsPerMinute", "3"));
        var browser = new FormClient(app);

        var answers = new List<HttpResponseMessage>();
        for (int attempt = 0; attempt < 4; attempt++) answers.Add(await browser.SignInAsync("nobody", "wrong-password"));
        var form = await browser.Http.GetAsync("/account/signin");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], answers.Select(a => a.StatusCode));
        Assert.Equal(SignInRateLimit.Message, await answers[3].Content.ReadAsStringAsync());
        Assert.Equal(TimeSpan.FromSeconds(60), answers[3].Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
    }

    [Fact]
    public async Task In_single_user_mode_nobody_signs_in_and_everything_belongs_to_the_local_account()
    {
        using var app = new StudioAppFactory(_data);
        var http = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var signIn = await http.GetAsync("/account/signin");
        var dataset = await new StudioClient(http).UploadDatasetAsync();
        var users = await http.GetStringAsync("/admin/users");

        Assert.Equal("/", FormClient.RedirectTarget(signIn));
        Assert.Equal((LocalUser.Id, LocalUser.UserName), (dataset.Owner, dataset.OwnerName));
        Assert.Contains("single-user mode", users);
    }

    [GeneratedRegex(@"/account/setup\?token=[0-9a-f]{32}")]
    private static partial Regex SetupLink();

    /// <summary>What the studio logs, as the person at its console reads it.</summary>
    sealed class CapturedLog : ILoggerProvider
    {
        readonly ConcurrentQueue<string> _lines = new();

        /// <summary>The log of <paramref name="app"/>, once it has started.</summary>
        public string Text(WebApplicationFactory<Program> app)
        {
            app.CreateClient();
            return string.Join("\n", _lines);
        }

        public ILogger CreateLogger(string categoryName) => new Logger(_lines);

        public void Dispose() { }

        sealed class Logger(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue(formatter(state, exception));
        }
    }

    public void Dispose() => _data.Dispose();
}
