using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LoraLab.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class EvaluationRuns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Kind",
                table: "Runs",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                // Every run stored before evaluation runs existed trained an adapter.
                defaultValue: "Training");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Kind",
                table: "Runs");
        }
    }
}
