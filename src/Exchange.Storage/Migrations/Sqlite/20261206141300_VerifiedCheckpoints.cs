using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Exchange.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class VerifiedCheckpoints : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "provision_log_verifications",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    entry_hash = table.Column<string>(type: "TEXT", nullable: false),
                    verified_at = table.Column<long>(type: "INTEGER", nullable: false),
                    signature = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_provision_log_verifications", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_provision_log_verifications_sequence",
                table: "provision_log_verifications",
                column: "sequence");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "provision_log_verifications");
        }
    }
}
