using Microsoft.AspNetCore.Components.Authorization;

namespace LoraLab.Web.Accounts;

/// <summary>The signed-in user of a component's circuit (or of its server render), as a <see cref="Caller"/>.</summary>
public sealed class CurrentCaller(AuthenticationStateProvider authentication)
{
    public async Task<Caller> GetAsync()
    {
        var state = await authentication.GetAuthenticationStateAsync();
        return Caller.TryFrom(state.User)
            ?? throw new InvalidOperationException("No user is signed in: every page requires one, so this page was reached without the authorization it declares.");
    }
}
