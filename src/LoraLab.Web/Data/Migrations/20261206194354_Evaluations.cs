using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LoraLab.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class Evaluations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Evaluations",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    BaseModelId = table.Column<int>(type: "INTEGER", nullable: false),
                    AdapterId = table.Column<int>(type: "INTEGER", nullable: true),
                    DatasetId = table.Column<int>(type: "INTEGER", nullable: false),
                    Examples = table.Column<int>(type: "INTEGER", nullable: false),
                    ExactMatch = table.Column<double>(type: "REAL", nullable: false),
                    Contains = table.Column<double>(type: "REAL", nullable: false),
                    Rouge1 = table.Column<double>(type: "REAL", nullable: false),
                    Rouge2 = table.Column<double>(type: "REAL", nullable: false),
                    RougeL = table.Column<double>(type: "REAL", nullable: false),
                    Bleu = table.Column<double>(type: "REAL", nullable: false),
                    JsonValid = table.Column<double>(type: "REAL", nullable: true),
                    JsonShapeMatch = table.Column<double>(type: "REAL", nullable: true),
                    AnswersJson = table.Column<string>(type: "TEXT", nullable: false),
                    Seconds = table.Column<double>(type: "REAL", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Owner = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Evaluations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Evaluations_Adapters_AdapterId",
                        column: x => x.AdapterId,
                        principalTable: "Adapters",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_Evaluations_AspNetUsers_Owner",
                        column: x => x.Owner,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Evaluations_BaseModels_BaseModelId",
                        column: x => x.BaseModelId,
                        principalTable: "BaseModels",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_Evaluations_Datasets_DatasetId",
                        column: x => x.DatasetId,
                        principalTable: "Datasets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Evaluations_AdapterId",
                table: "Evaluations",
                column: "AdapterId");

            migrationBuilder.CreateIndex(
                name: "IX_Evaluations_BaseModelId_DatasetId",
                table: "Evaluations",
                columns: new[] { "BaseModelId", "DatasetId" });

            migrationBuilder.CreateIndex(
                name: "IX_Evaluations_DatasetId",
                table: "Evaluations",
                column: "DatasetId");

            migrationBuilder.CreateIndex(
                name: "IX_Evaluations_Owner",
                table: "Evaluations",
                column: "Owner");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Evaluations");
        }
    }
}
