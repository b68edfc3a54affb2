using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Exchange.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Feed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "feed_events",
                columns: table => new
                {
                    sequence = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    occurred_at = table.Column<long>(type: "INTEGER", nullable: false),
                    stored_at = table.Column<long>(type: "INTEGER", nullable: false),
                    kind = table.Column<int>(type: "INTEGER", nullable: false),
                    recipient = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    owner_party = table.Column<string>(type: "TEXT", nullable: true),
                    customer_ref = table.Column<string>(type: "TEXT", nullable: true),
                    subject_id = table.Column<string>(type: "TEXT", nullable: true),
                    purpose = table.Column<string>(type: "TEXT", nullable: true),
                    items = table.Column<string>(type: "TEXT", nullable: true),
                    body = table.Column<byte[]>(type: "BLOB", nullable: false),
                    dedup_key = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_feed_events", x => x.sequence);
                });

            migrationBuilder.CreateTable(
                name: "feed_horizons",
                columns: table => new
                {
                    recipient = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    pruned_through = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_feed_horizons", x => x.recipient);
                });

            migrationBuilder.CreateIndex(
                name: "ix_feed_events_dedup_key",
                table: "feed_events",
                column: "dedup_key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_feed_events_recipient_sequence",
                table: "feed_events",
                columns: new[] { "recipient", "sequence" });

            migrationBuilder.CreateIndex(
                name: "ix_feed_events_stored_at",
                table: "feed_events",
                column: "stored_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "feed_events");

            migrationBuilder.DropTable(
                name: "feed_horizons");
        }
    }
}
