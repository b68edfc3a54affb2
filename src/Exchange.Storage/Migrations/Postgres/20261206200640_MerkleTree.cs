using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Exchange.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class MerkleTree : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "provision_log_tree",
                columns: table => new
                {
                    key = table.Column<long>(type: "bigint", nullable: false),
                    hash = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_provision_log_tree", x => x.key);
                });

            migrationBuilder.CreateTable(
                name: "provision_log_tree_checkpoints",
                columns: table => new
                {
                    size = table.Column<long>(type: "bigint", nullable: false),
                    signed_at = table.Column<long>(type: "bigint", nullable: false),
                    root_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    note = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_provision_log_tree_checkpoints", x => x.size);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "provision_log_tree");

            migrationBuilder.DropTable(
                name: "provision_log_tree_checkpoints");
        }
    }
}
