using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LoraLab.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class JudgeVotes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Judge",
                table: "PlaygroundVotes",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Judge",
                table: "PlaygroundVotes");
        }
    }
}
