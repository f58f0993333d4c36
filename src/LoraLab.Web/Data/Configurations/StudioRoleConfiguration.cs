using LoraLab.Web.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LoraLab.Web.Data.Configurations;

/// <summary>Seeds the admin and member roles, and makes the built-in local account an admin.</summary>
sealed class StudioRoleConfiguration : IEntityTypeConfiguration<IdentityRole>, IEntityTypeConfiguration<IdentityUserRole<string>>
{
    public void Configure(EntityTypeBuilder<IdentityRole> role) => role.HasData(StudioRoles.All.Select(name => new IdentityRole
    {
        Id = name, Name = name, NormalizedName = name.ToUpperInvariant(), ConcurrencyStamp = name,
    }));

    public void Configure(EntityTypeBuilder<IdentityUserRole<string>> userRole) =>
        userRole.HasData(new IdentityUserRole<string> { UserId = LocalUser.Id, RoleId = StudioRoles.Admin });
}
