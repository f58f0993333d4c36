using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LoraLab.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class HeldOutEvaluations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "RunId",
                table: "Evaluations",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Evaluations_RunId",
                table: "Evaluations",
                column: "RunId");

            migrationBuilder.AddForeignKey(
                name: "FK_Evaluations_Runs_RunId",
                table: "Evaluations",
                column: "RunId",
                principalTable: "Runs",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Evaluations_Runs_RunId",
                table: "Evaluations");

            migrationBuilder.DropIndex(
                name: "IX_Evaluations_RunId",
                table: "Evaluations");

            migrationBuilder.DropColumn(
                name: "RunId",
                table: "Evaluations");
        }
    }
}
