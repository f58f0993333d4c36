using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LoraLab.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class SlurmJobs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "SlurmJobId",
                table: "Runs",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SlurmNode",
                table: "Runs",
                type: "TEXT",
                maxLength: 200,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "SlurmJobId",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "SlurmNode",
                table: "Runs");
        }
    }
}
