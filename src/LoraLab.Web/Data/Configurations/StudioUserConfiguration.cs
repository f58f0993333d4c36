using LoraLab.Web.Accounts;
using LoraLab.Web.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LoraLab.Web.Data.Configurations;

/// <summary>Seeds the built-in local account (an admin without a password), so every database has it.</summary>
sealed class StudioUserConfiguration : IEntityTypeConfiguration<StudioUser>
{
    public void Configure(EntityTypeBuilder<StudioUser> user) => user.HasData(new StudioUser
    {
        Id = LocalUser.Id,
        UserName = LocalUser.UserName,
        NormalizedUserName = LocalUser.UserName.ToUpperInvariant(),
        // Seed data must be constant; the stamps change as soon as the account does.
        SecurityStamp = "loralab-local-user",
        ConcurrencyStamp = "loralab-local-user",
        CreatedAt = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc),
    });
}
