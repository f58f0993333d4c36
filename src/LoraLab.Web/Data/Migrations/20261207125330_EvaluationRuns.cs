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

            migrationBuilder.AddColumn<int>(
                name: "AnsweredByRunId",
                table: "Evaluations",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Evaluations_AnsweredByRunId",
                table: "Evaluations",
                column: "AnsweredByRunId");

            migrationBuilder.AddForeignKey(
                name: "FK_Evaluations_Runs_AnsweredByRunId",
                table: "Evaluations",
                column: "AnsweredByRunId",
                principalTable: "Runs",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Evaluations_Runs_AnsweredByRunId",
                table: "Evaluations");

            migrationBuilder.DropIndex(
                name: "IX_Evaluations_AnsweredByRunId",
                table: "Evaluations");

            migrationBuilder.DropColumn(
                name: "Kind",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "AnsweredByRunId",
                table: "Evaluations");
        }
    }
}
