using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LoraLab.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class PlaygroundVotes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "PlaygroundVotes",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    BaseModelId = table.Column<int>(type: "INTEGER", nullable: false),
                    AdapterAId = table.Column<int>(type: "INTEGER", nullable: true),
                    AdapterBId = table.Column<int>(type: "INTEGER", nullable: true),
                    Choice = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    Prompt = table.Column<string>(type: "TEXT", nullable: false),
                    AnswerA = table.Column<string>(type: "TEXT", nullable: false),
                    AnswerB = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PlaygroundVotes", x => x.Id);
                    table.ForeignKey(
                        name: "FK_PlaygroundVotes_Adapters_AdapterAId",
                        column: x => x.AdapterAId,
                        principalTable: "Adapters",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_PlaygroundVotes_Adapters_AdapterBId",
                        column: x => x.AdapterBId,
                        principalTable: "Adapters",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_PlaygroundVotes_BaseModels_BaseModelId",
                        column: x => x.BaseModelId,
                        principalTable: "BaseModels",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_PlaygroundVotes_AdapterAId",
                table: "PlaygroundVotes",
                column: "AdapterAId");

            migrationBuilder.CreateIndex(
                name: "IX_PlaygroundVotes_AdapterBId",
                table: "PlaygroundVotes",
                column: "AdapterBId");

            migrationBuilder.CreateIndex(
                name: "IX_PlaygroundVotes_BaseModelId",
                table: "PlaygroundVotes",
                column: "BaseModelId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "PlaygroundVotes");
        }
    }
}
