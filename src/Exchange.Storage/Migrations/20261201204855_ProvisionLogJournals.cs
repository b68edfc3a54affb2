using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Exchange.Storage.Migrations
{
    /// <inheritdoc />
    public partial class ProvisionLogJournals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "provision_log_journals",
                columns: table => new
                {
                    JournalId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    FoldedThrough = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_provision_log_journals", x => x.JournalId);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "provision_log_journals");
        }
    }
}
