using LoraLab.Web.Data.Entities;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Accounts;

/// <summary>Identity's sign-in, refusing disabled accounts (their sign-in result is NotAllowed).</summary>
public sealed class StudioSignInManager(
    UserManager<StudioUser> users, IHttpContextAccessor context, IUserClaimsPrincipalFactory<StudioUser> principals,
    IOptions<IdentityOptions> options, ILogger<SignInManager<StudioUser>> logger, IAuthenticationSchemeProvider schemes,
    IUserConfirmation<StudioUser> confirmation)
    : SignInManager<StudioUser>(users, context, principals, options, logger, schemes, confirmation)
{
    public override async Task<bool> CanSignInAsync(StudioUser user) => !user.IsDisabled && await base.CanSignInAsync(user);
}
