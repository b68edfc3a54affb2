using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Exchange.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Recalls : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "chassis_frame",
                table: "vehicles",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "chassis_serial",
                table: "vehicles",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "first_registered",
                table: "vehicles",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "model_base",
                table: "vehicles",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "model_code_normalised",
                table: "vehicles",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "recall_campaign_versions",
                columns: table => new
                {
                    recall_number = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    definition = table.Column<byte[]>(type: "BLOB", nullable: false),
                    published_by = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    published_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_recall_campaign_versions", x => new { x.recall_number, x.version });
                });

            migrationBuilder.CreateTable(
                name: "recall_campaigns",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    recall_number = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    current_version = table.Column<int>(type: "INTEGER", nullable: false),
                    starts_on = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_recall_campaigns", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "recall_history",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    recall_vehicle_id = table.Column<long>(type: "INTEGER", nullable: false),
                    step = table.Column<int>(type: "INTEGER", nullable: false),
                    at = table.Column<long>(type: "INTEGER", nullable: false),
                    actor = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    call_id = table.Column<string>(type: "TEXT", nullable: true),
                    details = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_recall_history", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "recall_ranges",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    recall_number = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    frame = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    serial_from = table.Column<long>(type: "INTEGER", nullable: false),
                    serial_to = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_recall_ranges", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "recall_vehicles",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    recall_number = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    owner_party = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    customer_ref = table.Column<string>(type: "TEXT", nullable: false),
                    vehicle_ref = table.Column<string>(type: "TEXT", nullable: false),
                    subject_id = table.Column<string>(type: "TEXT", nullable: false),
                    matched_by_version = table.Column<int>(type: "INTEGER", nullable: false),
                    step = table.Column<int>(type: "INTEGER", nullable: false),
                    affected_at = table.Column<long>(type: "INTEGER", nullable: false),
                    queued_at = table.Column<long>(type: "INTEGER", nullable: true),
                    notified_at = table.Column<long>(type: "INTEGER", nullable: true),
                    acknowledged_at = table.Column<long>(type: "INTEGER", nullable: true),
                    contacted_on = table.Column<int>(type: "INTEGER", nullable: true),
                    contact_method = table.Column<int>(type: "INTEGER", nullable: true),
                    repaired_on = table.Column<int>(type: "INTEGER", nullable: true),
                    repair_order_ref = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_recall_vehicles", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_vehicles_chassis_frame_chassis_serial",
                table: "vehicles",
                columns: new[] { "chassis_frame", "chassis_serial" });

            migrationBuilder.CreateIndex(
                name: "ix_recall_campaigns_recall_number",
                table: "recall_campaigns",
                column: "recall_number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_recall_history_recall_vehicle_id",
                table: "recall_history",
                column: "recall_vehicle_id");

            migrationBuilder.CreateIndex(
                name: "ix_recall_ranges_frame_serial_from",
                table: "recall_ranges",
                columns: new[] { "frame", "serial_from" });

            migrationBuilder.CreateIndex(
                name: "ix_recall_vehicles_recall_number_owner_party_customer_ref_vehicle_ref",
                table: "recall_vehicles",
                columns: new[] { "recall_number", "owner_party", "customer_ref", "vehicle_ref" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_recall_vehicles_recall_number_queued_at",
                table: "recall_vehicles",
                columns: new[] { "recall_number", "queued_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "recall_campaign_versions");

            migrationBuilder.DropTable(
                name: "recall_campaigns");

            migrationBuilder.DropTable(
                name: "recall_history");

            migrationBuilder.DropTable(
                name: "recall_ranges");

            migrationBuilder.DropTable(
                name: "recall_vehicles");

            migrationBuilder.DropIndex(
                name: "ix_vehicles_chassis_frame_chassis_serial",
                table: "vehicles");

            migrationBuilder.DropColumn(
                name: "chassis_frame",
                table: "vehicles");

            migrationBuilder.DropColumn(
                name: "chassis_serial",
                table: "vehicles");

            migrationBuilder.DropColumn(
                name: "first_registered",
                table: "vehicles");

            migrationBuilder.DropColumn(
                name: "model_base",
                table: "vehicles");

            migrationBuilder.DropColumn(
                name: "model_code_normalised",
                table: "vehicles");
        }
    }
}
