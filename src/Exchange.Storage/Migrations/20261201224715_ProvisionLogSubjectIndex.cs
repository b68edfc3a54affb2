using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Exchange.Storage.Migrations
{
    /// <summary>
    /// Replaces the index on <c>provision_log.SubjectId</c>, written with every commit, by a lookup
    /// table filled in sorted batches behind a watermark (see ProvisionSubjectIndexer).
    /// </summary>
    public partial class ProvisionLogSubjectIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_provision_log_SubjectId",
                table: "provision_log");

            migrationBuilder.CreateTable(
                name: "provision_log_subject_index",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    IndexedThrough = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_provision_log_subject_index", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "provision_log_subjects",
                columns: table => new
                {
                    SubjectId = table.Column<string>(type: "TEXT", nullable: false),
                    Sequence = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_provision_log_subjects", x => new { x.SubjectId, x.Sequence });
                });

            // Index the entries already in the log, so that the scanned tail starts empty.
            migrationBuilder.Sql(
                """
                INSERT INTO "provision_log_subjects" ("SubjectId", "Sequence")
                SELECT "SubjectId", "Sequence" FROM "provision_log" WHERE "SubjectId" IS NOT NULL ORDER BY "SubjectId", "Sequence";
                INSERT INTO "provision_log_subject_index" ("Id", "IndexedThrough")
                SELECT 1, COALESCE(MAX("Sequence"), 0) FROM "provision_log";
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "provision_log_subject_index");

            migrationBuilder.DropTable(
                name: "provision_log_subjects");

            migrationBuilder.CreateIndex(
                name: "IX_provision_log_SubjectId",
                table: "provision_log",
                column: "SubjectId");
        }
    }
}
