using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LoraLab.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class SlurmPendingReason : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "SlurmPendingReason",
                table: "Runs",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "SlurmPendingReason",
                table: "Runs");
        }
    }
}
