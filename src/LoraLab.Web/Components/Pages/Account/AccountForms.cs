using System.ComponentModel.DataAnnotations;

namespace LoraLab.Web.Components.Pages.Account;

public sealed class SignInForm
{
    [Required(ErrorMessage = "Enter your user name.")]
    public string UserName { get; set; } = "";

    [Required(ErrorMessage = "Enter your password.")]
    public string Password { get; set; } = "";

    public bool RememberMe { get; set; }
}

/// <summary>A new password, typed twice; the first admin's setup form adds a user name.</summary>
public sealed class NewPasswordForm
{
    public string UserName { get; set; } = "";

    [Required(ErrorMessage = "Choose a password.")]
    public string Password { get; set; } = "";

    [Compare(nameof(Password), ErrorMessage = "The two passwords differ.")]
    public string Confirm { get; set; } = "";
}

public static class ReturnUrls
{
    /// <summary>The return URL when it stays on this studio (a path), otherwise the dashboard: never an open redirect.</summary>
    public static string Local(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url[0] == '/' && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
            ? url
            : "/";
}
