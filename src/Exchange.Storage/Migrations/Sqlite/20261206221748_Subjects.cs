using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Exchange.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Subjects : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "request_id",
                table: "feed_events",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "subject_request_propagations",
                columns: table => new
                {
                    request_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    partner = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    feed_sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    sent_at = table.Column<long>(type: "INTEGER", nullable: false),
                    outcome = table.Column<int>(type: "INTEGER", nullable: false),
                    acknowledged_at = table.Column<long>(type: "INTEGER", nullable: true),
                    refusal_ground = table.Column<int>(type: "INTEGER", nullable: false),
                    refusal_reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    reminders = table.Column<int>(type: "INTEGER", nullable: false),
                    last_reminded_at = table.Column<long>(type: "INTEGER", nullable: true),
                    next_reminder_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_subject_request_propagations", x => new { x.request_id, x.partner });
                });

            migrationBuilder.CreateTable(
                name: "subject_requests",
                columns: table => new
                {
                    sequence = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    kind = table.Column<int>(type: "INTEGER", nullable: false),
                    status = table.Column<int>(type: "INTEGER", nullable: false),
                    opened_by = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    opened_at = table.Column<long>(type: "INTEGER", nullable: false),
                    owners = table.Column<string>(type: "TEXT", nullable: false),
                    body = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_subject_requests", x => x.sequence);
                });

            migrationBuilder.CreateIndex(
                name: "ix_feed_events_request_id",
                table: "feed_events",
                column: "request_id");

            migrationBuilder.CreateIndex(
                name: "ix_subject_request_propagations_outcome_next_reminder_at",
                table: "subject_request_propagations",
                columns: new[] { "outcome", "next_reminder_at" });

            migrationBuilder.CreateIndex(
                name: "ix_subject_requests_id",
                table: "subject_requests",
                column: "id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_subject_requests_opened_by",
                table: "subject_requests",
                column: "opened_by");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "subject_request_propagations");

            migrationBuilder.DropTable(
                name: "subject_requests");

            migrationBuilder.DropIndex(
                name: "ix_feed_events_request_id",
                table: "feed_events");

            migrationBuilder.DropColumn(
                name: "request_id",
                table: "feed_events");
        }
    }
}
