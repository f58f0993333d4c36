using LoraLab.Web.Accounts;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Storage;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Extensions;

/// <summary>
/// Accounts and access: Identity on the studio's database, sign-in by cookie (pages) or personal access token
/// (scripts, the hub), a fallback policy that requires a signed-in user on every endpoint that does not say otherwise,
/// and single-user mode (LoraLab:SingleUser), where every request is the built-in local admin without signing in.
/// Everything that depends on settings is resolved when the app starts, so test hosts can change them.
/// </summary>
public static class AccountServiceExtensions
{
    /// <summary>With accounts: an access token when the request carries one, otherwise the Identity cookie.</summary>
    public const string CookieOrTokenScheme = "CookieOrToken";

    public static IServiceCollection AddStudioAccounts(this IServiceCollection services)
    {
        services.AddOptions<AccountsOptions>().BindConfiguration(AccountsOptions.Section);
        services.AddSingleton<AuditLog>();
        services.AddSingleton<Quotas>();
        services.AddSingleton<AccessTokenStore>();
        services.AddSingleton<UserAdministration>();
        services.AddSingleton<FirstAdmin>();
        services.AddScoped<CurrentCaller>();

        services.AddIdentityCore<StudioUser>(ConfigureIdentity)
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<LoraLabDbContext>()
            .AddSignInManager<StudioSignInManager>()
            .AddDefaultTokenProviders();
        services.AddOptions<DataProtectionTokenProviderOptions>()
            .Configure<IOptions<AccountsOptions>>((links, accounts) => links.TokenLifespan = accounts.Value.LinkLifetime);
        // Disabling an account or changing its role changes its security stamp; cookies are checked against it this often.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));

        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, LocalUserAuthenticationHandler>(LocalUserAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, AccessTokenAuthenticationHandler>(AccessTokenAuthenticationHandler.SchemeName, null)
            .AddPolicyScheme(CookieOrTokenScheme, "Cookie or access token", o => o.ForwardDefaultSelector = context =>
                AccessTokenAuthenticationHandler.TokenOf(context.Request) is null ? IdentityConstants.ApplicationScheme : AccessTokenAuthenticationHandler.SchemeName)
            .AddIdentityCookies();
        services.AddOptions<AuthenticationOptions>().Configure<IOptions<LoraLabOptions>>((authentication, studio) =>
        {
            authentication.DefaultScheme = studio.Value.SingleUser ? LocalUserAuthenticationHandler.SchemeName : CookieOrTokenScheme;
            authentication.DefaultSignInScheme = IdentityConstants.ApplicationScheme;
        });
        services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme).Configure<IConfiguration>(ConfigureCookie);
        services.AddOptions<AntiforgeryOptions>().Configure<IConfiguration>((antiforgery, configuration) =>
            antiforgery.Cookie.SecurePolicy = SecurePolicy(configuration));

        services.AddAuthorizationBuilder().SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider>(sp => sp.GetRequiredService<IOptions<LoraLabOptions>>().Value.SingleUser
            ? new ServerAuthenticationStateProvider()
            : ActivatorUtilities.CreateInstance<AccountRevalidation>(sp));
        services.AddSignInRateLimit();

        // Keys for cookies, antiforgery tokens and password links live in the data folder, so they survive restarts and image updates.
        services.AddDataProtection().SetApplicationName("LoraLab");
        services.AddOptions<KeyManagementOptions>().Configure<DataFolder, ILoggerFactory>((keys, data, loggers) =>
            keys.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(data.Keys), loggers));
        return services;
    }

    /// <summary>Passwords of at least 10 characters, any characters (length over composition rules, NIST SP 800-63B §5.1.1.2); 5 wrong ones lock an account for 5 minutes.</summary>
    public static void ConfigureIdentity(IdentityOptions identity)
    {
        identity.Password = new PasswordOptions
        {
            RequiredLength = 10, RequireDigit = false, RequireLowercase = false, RequireUppercase = false, RequireNonAlphanumeric = false,
        };
        identity.Lockout = new LockoutOptions { MaxFailedAccessAttempts = 5, DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5) };
    }

    /// <summary>
    /// HTTPS redirection and HSTS when the studio serves HTTPS itself, security headers on every response, the sign-in
    /// rate limit, then authentication and authorization.
    /// </summary>
    public static WebApplication UseStudioSecurity(this WebApplication app)
    {
        if (HttpsEndpoints.AreConfigured(app.Configuration))
        {
            app.UseHsts();
            app.UseHttpsRedirection();
        }
        app.UseSecurityHeaders();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>Creates the first admin, or logs its one-time setup link, when the studio has accounts and no admin yet.</summary>
    public static async Task PrepareAccountsAsync(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<LoraLabOptions>>().Value.SingleUser)
        {
            app.Logger.LogInformation("Single-user mode (LoraLab:SingleUser): nobody signs in; everything belongs to the local account.");
            return;
        }
        await app.Services.GetRequiredService<FirstAdmin>().EnsureAsync();
    }

    static void ConfigureCookie(CookieAuthenticationOptions cookie, IConfiguration configuration)
    {
        cookie.Cookie.Name = "LoraLab.Auth";
        cookie.Cookie.SameSite = SameSiteMode.Lax;
        cookie.Cookie.SecurePolicy = SecurePolicy(configuration);
        cookie.LoginPath = AccountEndpoints.SignInPath;
        cookie.LogoutPath = AccountEndpoints.SignOutPath;
        cookie.AccessDeniedPath = AccountEndpoints.AccessDeniedPath;
        // Scripts and hub clients cannot follow a redirect to a form: they get 401 or 403 as ProblemDetails.
        cookie.Events.OnRedirectToLogin = context => Unauthorized.IsForScripts(context.Request)
            ? Unauthorized.WriteAsync(context.HttpContext, Unauthorized.SignInOrToken)
            : Redirect(context);
        cookie.Events.OnRedirectToAccessDenied = context => Unauthorized.IsForScripts(context.Request)
            ? Unauthorized.WriteForbiddenAsync(context.HttpContext)
            : Redirect(context);
    }

    static Task Redirect(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    static CookieSecurePolicy SecurePolicy(IConfiguration configuration) =>
        HttpsEndpoints.AreConfigured(configuration) ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
}
