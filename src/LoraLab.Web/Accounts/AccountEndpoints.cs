using LoraLab.Web.Data.Entities;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;

namespace LoraLab.Web.Accounts;

public static class AccountEndpoints
{
    public const string SignInPath = "/account/signin";
    public const string SignOutPath = "/account/signout";
    public const string AccessDeniedPath = "/account/access-denied";

    /// <summary>Sign-out, a form POST (with its antiforgery token) from the app bar; the sign-in forms are pages.</summary>
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost(SignOutPath, async (SignInManager<StudioUser> signIn) =>
        {
            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect("~" + SignInPath);
        }).WithMetadata(new RequireAntiforgeryTokenAttribute());
        return app;
    }
}
