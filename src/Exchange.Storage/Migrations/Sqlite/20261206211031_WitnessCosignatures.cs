using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Exchange.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class WitnessCosignatures : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "provision_log_tree_cosignatures",
                columns: table => new
                {
                    size = table.Column<long>(type: "INTEGER", nullable: false),
                    witness = table.Column<string>(type: "TEXT", nullable: false),
                    time = table.Column<long>(type: "INTEGER", nullable: false),
                    line = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_provision_log_tree_cosignatures", x => new { x.size, x.witness });
                    table.ForeignKey(
                        name: "fk_provision_log_tree_cosignatures_provision_log_tree_checkpoints_size",
                        column: x => x.size,
                        principalTable: "provision_log_tree_checkpoints",
                        principalColumn: "size",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "provision_log_tree_cosignatures");
        }
    }
}
