using System.Net.Http.Headers;
using LoraLab.Web.Accounts;
using LoraLab.Web.Training;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace LoraLab.Web.Tests.Accounts;

/// <summary>
/// The studio run for a team (LoraLab:SingleUser false) on its own data folder holding one model, with an admin from
/// configuration and helpers that create members and sign them in by personal access token.
/// </summary>
public sealed class TeamStudio : IDisposable
{
    public const string AdminName = "admin";
    public const string AdminPassword = "admin-password-1";

    readonly TempDataFolder _data = new();

    public TeamStudio() : this(executor: null, []) { }

    TeamStudio(IRunExecutor? executor, (string Key, string Value)[] settings)
    {
        _data.AddModel("SmolLM2-135M", TempDataFolder.SmolLm2Config);
        Factory = new StudioAppFactory(_data, executor,
        [
            ("LoraLab:SingleUser", "false"),
            ("LoraLab:Accounts:AdminUserName", AdminName),
            ("LoraLab:Accounts:AdminPassword", AdminPassword),
            .. settings,
        ]);
    }

    /// <summary>A team studio of its own, with <paramref name="executor"/> training its runs and extra settings.</summary>
    public static TeamStudio With(IRunExecutor? executor, params (string Key, string Value)[] settings) => new(executor, settings);

    public StudioAppFactory Factory { get; }

    public T Service<T>() where T : notnull => Factory.Services.GetRequiredService<T>();

    /// <summary>A client that sends no credentials and does not follow redirects, so a test sees the sign-in redirect itself.</summary>
    public HttpClient SignedOut() => Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    /// <summary>The password <see cref="AddUserAsync"/> gives a user.</summary>
    public static string PasswordOf(string userName) => $"{userName}-password-1";

    /// <summary>Creates the user (a member unless <paramref name="role"/> says otherwise).</summary>
    public async Task<Caller> AddUserAsync(string userName, string role = StudioRoles.Member)
    {
        var created = await Service<UserAdministration>().CreateAsync(await AdminAsync(), new NewUser(userName, null, role, PasswordOf(userName)));
        var user = created.Value?.User ?? throw new InvalidOperationException(created.Failure!.Detail);
        return new Caller(user.Id, user.UserName, role == StudioRoles.Admin);
    }

    /// <summary>The configured admin, as the stores see them.</summary>
    public async Task<Caller> AdminAsync()
    {
        Factory.CreateClient(); // starts the app, which creates the admin
        var admin = (await Service<UserAdministration>().ListAsync()).Single(u => u.UserName == AdminName);
        return new Caller(admin.Id, admin.UserName, IsAdmin: true);
    }

    /// <summary>The API as <paramref name="caller"/>'s scripts call it, with a fresh personal access token.</summary>
    public async Task<StudioClient> ClientAsync(Caller caller)
    {
        var token = await Service<AccessTokenStore>().CreateAsync(caller, "tests");
        var http = Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Value!.Secret);
        return new StudioClient(http);
    }

    public void Dispose()
    {
        Factory.Dispose();
        _data.Dispose();
    }
}
