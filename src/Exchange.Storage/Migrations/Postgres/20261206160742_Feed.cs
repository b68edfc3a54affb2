using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Exchange.Storage.Migrations.Postgres
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
                    sequence = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    occurred_at = table.Column<long>(type: "bigint", nullable: false),
                    stored_at = table.Column<long>(type: "bigint", nullable: false),
                    kind = table.Column<int>(type: "integer", nullable: false),
                    recipient = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    owner_party = table.Column<string>(type: "text", nullable: true),
                    customer_ref = table.Column<string>(type: "text", nullable: true),
                    subject_id = table.Column<string>(type: "text", nullable: true),
                    purpose = table.Column<string>(type: "text", nullable: true),
                    items = table.Column<string>(type: "text", nullable: true),
                    body = table.Column<byte[]>(type: "bytea", nullable: false),
                    dedup_key = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_feed_events", x => x.sequence);
                });

            migrationBuilder.CreateTable(
                name: "feed_horizons",
                columns: table => new
                {
                    recipient = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    pruned_through = table.Column<long>(type: "bigint", nullable: false)
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
