using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Exchange.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Oversight : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "exceptional_provision_entries",
                columns: table => new
                {
                    sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    provision_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_exceptional_provision_entries", x => x.sequence);
                });

            migrationBuilder.CreateTable(
                name: "exceptional_provisions",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    recorded_at = table.Column<long>(type: "INTEGER", nullable: false),
                    data = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_exceptional_provisions", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "provision_log_reduction",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false),
                    reduced_through = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_provision_log_reduction", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "retention_runs",
                columns: table => new
                {
                    sequence = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    started_at = table.Column<long>(type: "INTEGER", nullable: false),
                    data = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_retention_runs", x => x.sequence);
                });

            migrationBuilder.CreateIndex(
                name: "ix_exceptional_provisions_recorded_at_id",
                table: "exceptional_provisions",
                columns: new[] { "recorded_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_retention_runs_id",
                table: "retention_runs",
                column: "id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "exceptional_provision_entries");

            migrationBuilder.DropTable(
                name: "exceptional_provisions");

            migrationBuilder.DropTable(
                name: "provision_log_reduction");

            migrationBuilder.DropTable(
                name: "retention_runs");
        }
    }
}
