using Microsoft.AspNetCore.Identity;

namespace LoraLab.Web.Accounts;

static class IdentityFailure
{
    /// <summary>Identity's errors as field errors: password rules under "password", e-mail ones under "email", the rest under "userName".</summary>
    public static Failure From(string title, IdentityResult result) => Failure.Invalid(title, result.Errors
        .GroupBy(e => FieldOf(e.Code))
        .ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray()));

    static string FieldOf(string code) =>
        code.StartsWith("Password", StringComparison.Ordinal) ? "password"
        : code.Contains("Email", StringComparison.Ordinal) ? "email"
        : "userName";
}
