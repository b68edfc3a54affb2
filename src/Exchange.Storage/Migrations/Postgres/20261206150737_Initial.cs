using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Exchange.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "certificate_revocations",
                columns: table => new
                {
                    serial_number = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: false),
                    party_id = table.Column<string>(type: "text", nullable: true),
                    revoked_at = table.Column<long>(type: "bigint", nullable: false),
                    reason = table.Column<int>(type: "integer", nullable: false),
                    note = table.Column<string>(type: "text", nullable: true),
                    revoked_by = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_certificate_revocations", x => x.serial_number);
                });

            migrationBuilder.CreateTable(
                name: "certificate_signing_requests",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    party_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    csr_pem = table.Column<string>(type: "text", nullable: false),
                    key_description = table.Column<string>(type: "text", nullable: false),
                    public_key_sha256 = table.Column<string>(type: "text", nullable: false),
                    submitted_at = table.Column<long>(type: "bigint", nullable: false),
                    submitted_by = table.Column<string>(type: "text", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    decided_at = table.Column<long>(type: "bigint", nullable: true),
                    decided_by = table.Column<string>(type: "text", nullable: true),
                    decision_note = table.Column<string>(type: "text", nullable: true),
                    certificate_serial = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_certificate_signing_requests", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "customers",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    owner_party = table.Column<string>(type: "text", nullable: false),
                    customer_ref = table.Column<string>(type: "text", nullable: false),
                    subject_id = table.Column<string>(type: "text", nullable: false),
                    prefecture = table.Column<string>(type: "text", nullable: true),
                    data = table.Column<byte[]>(type: "bytea", nullable: false),
                    created_at = table.Column<long>(type: "bigint", nullable: false),
                    updated_at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_customers", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "declarations",
                columns: table => new
                {
                    version = table.Column<int>(type: "integer", nullable: false),
                    published_at = table.Column<long>(type: "bigint", nullable: false),
                    effective_at = table.Column<long>(type: "bigint", nullable: false),
                    content = table.Column<byte[]>(type: "bytea", nullable: false),
                    hash = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_declarations", x => x.version);
                });

            migrationBuilder.CreateTable(
                name: "grants",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    subject_kind = table.Column<string>(type: "text", nullable: false),
                    subject = table.Column<string>(type: "text", nullable: false),
                    purpose = table.Column<string>(type: "text", nullable: false),
                    items = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_grants", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "hub_audit_log",
                columns: table => new
                {
                    sequence = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    time = table.Column<long>(type: "bigint", nullable: false),
                    actor = table.Column<string>(type: "text", nullable: false),
                    action = table.Column<string>(type: "text", nullable: false),
                    subject = table.Column<string>(type: "text", nullable: false),
                    details = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_hub_audit_log", x => x.sequence);
                });

            migrationBuilder.CreateTable(
                name: "issued_certificates",
                columns: table => new
                {
                    serial_number = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: false),
                    party_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    not_before = table.Column<long>(type: "bigint", nullable: false),
                    not_after = table.Column<long>(type: "bigint", nullable: false),
                    sha256fingerprint = table.Column<string>(type: "text", nullable: false),
                    public_key_sha256 = table.Column<string>(type: "text", nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    request_id = table.Column<string>(type: "text", nullable: true),
                    renewed_from = table.Column<string>(type: "text", nullable: true),
                    issued_at = table.Column<long>(type: "bigint", nullable: false),
                    issued_by = table.Column<string>(type: "text", nullable: false),
                    certificate_pem = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_issued_certificates", x => x.serial_number);
                });

            migrationBuilder.CreateTable(
                name: "opt_outs",
                columns: table => new
                {
                    subject_id = table.Column<string>(type: "text", nullable: false),
                    purpose = table.Column<string>(type: "text", nullable: false),
                    at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_opt_outs", x => new { x.subject_id, x.purpose });
                });

            migrationBuilder.CreateTable(
                name: "parties",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    role = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    name_ja = table.Column<string>(type: "text", nullable: false),
                    name_en = table.Column<string>(type: "text", nullable: false),
                    contact = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<long>(type: "bigint", nullable: false),
                    updated_at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_parties", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "provision_log",
                columns: table => new
                {
                    sequence = table.Column<long>(type: "bigint", nullable: false),
                    time = table.Column<long>(type: "bigint", nullable: false),
                    terms_id = table.Column<int>(type: "integer", nullable: false),
                    subject_id = table.Column<byte[]>(type: "bytea", nullable: true),
                    call_id = table.Column<byte[]>(type: "bytea", nullable: false),
                    entry_hash = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_provision_log", x => x.sequence);
                });

            migrationBuilder.CreateTable(
                name: "provision_log_checkpoints",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    sequence = table.Column<long>(type: "bigint", nullable: false),
                    entry_hash = table.Column<string>(type: "text", nullable: false),
                    signed_at = table.Column<long>(type: "bigint", nullable: false),
                    signature = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_provision_log_checkpoints", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "provision_log_subject_index",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    indexed_through = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_provision_log_subject_index", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "provision_log_subjects",
                columns: table => new
                {
                    subject_id = table.Column<byte[]>(type: "bytea", nullable: false),
                    sequence = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_provision_log_subjects", x => new { x.subject_id, x.sequence });
                });

            migrationBuilder.CreateTable(
                name: "provision_log_terms",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    digest = table.Column<byte[]>(type: "bytea", nullable: false),
                    provider = table.Column<string>(type: "text", nullable: false),
                    recipient = table.Column<string>(type: "text", nullable: false),
                    agent = table.Column<string>(type: "text", nullable: true),
                    items = table.Column<string>(type: "text", nullable: false),
                    purpose = table.Column<string>(type: "text", nullable: false),
                    declaration_version = table.Column<int>(type: "integer", nullable: false),
                    declaration_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    outcome = table.Column<int>(type: "integer", nullable: false),
                    rule = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_provision_log_terms", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "provision_log_verifications",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    sequence = table.Column<long>(type: "bigint", nullable: false),
                    entry_hash = table.Column<string>(type: "text", nullable: false),
                    verified_at = table.Column<long>(type: "bigint", nullable: false),
                    signature = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_provision_log_verifications", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "reference_data_version",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_reference_data_version", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "vendor_authorisations",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    garage_id = table.Column<string>(type: "text", nullable: false),
                    vendor_id = table.Column<string>(type: "text", nullable: false),
                    valid_from = table.Column<long>(type: "bigint", nullable: false),
                    valid_until = table.Column<long>(type: "bigint", nullable: true),
                    operations = table.Column<string>(type: "text", nullable: false),
                    recorded_at = table.Column<long>(type: "bigint", nullable: false),
                    recorded_by = table.Column<string>(type: "text", nullable: true),
                    revoked_at = table.Column<long>(type: "bigint", nullable: true),
                    revoked_by = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_vendor_authorisations", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "vehicles",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    customer_id = table.Column<long>(type: "bigint", nullable: false),
                    vehicle_ref = table.Column<string>(type: "text", nullable: false),
                    chassis_number = table.Column<string>(type: "text", nullable: true),
                    model_code = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_vehicles", x => x.id);
                    table.ForeignKey(
                        name: "fk_vehicles_customers_customer_id",
                        column: x => x.customer_id,
                        principalTable: "customers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.InsertData(
                table: "reference_data_version",
                columns: new[] { "id", "version" },
                values: new object[] { 1, 0L });

            migrationBuilder.CreateIndex(
                name: "ix_certificate_signing_requests_party_id_status",
                table: "certificate_signing_requests",
                columns: new[] { "party_id", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_customers_owner_party_customer_ref",
                table: "customers",
                columns: new[] { "owner_party", "customer_ref" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_customers_prefecture",
                table: "customers",
                column: "prefecture");

            migrationBuilder.CreateIndex(
                name: "ix_grants_subject_kind_subject_purpose",
                table: "grants",
                columns: new[] { "subject_kind", "subject", "purpose" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_hub_audit_log_subject",
                table: "hub_audit_log",
                column: "subject");

            migrationBuilder.CreateIndex(
                name: "ix_issued_certificates_party_id",
                table: "issued_certificates",
                column: "party_id");

            migrationBuilder.CreateIndex(
                name: "ix_issued_certificates_public_key_sha256",
                table: "issued_certificates",
                column: "public_key_sha256");

            migrationBuilder.CreateIndex(
                name: "ix_issued_certificates_renewed_from",
                table: "issued_certificates",
                column: "renewed_from");

            migrationBuilder.CreateIndex(
                name: "ix_provision_log_subject_id",
                table: "provision_log",
                column: "subject_id",
                filter: "subject_id IS NOT NULL")
                .Annotation("Npgsql:IndexMethod", "hash");

            migrationBuilder.CreateIndex(
                name: "ix_provision_log_checkpoints_sequence",
                table: "provision_log_checkpoints",
                column: "sequence");

            migrationBuilder.CreateIndex(
                name: "ix_provision_log_terms_digest",
                table: "provision_log_terms",
                column: "digest",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_provision_log_verifications_sequence",
                table: "provision_log_verifications",
                column: "sequence");

            migrationBuilder.CreateIndex(
                name: "ix_vehicles_chassis_number",
                table: "vehicles",
                column: "chassis_number");

            migrationBuilder.CreateIndex(
                name: "ix_vehicles_customer_id",
                table: "vehicles",
                column: "customer_id");

            migrationBuilder.CreateIndex(
                name: "ix_vehicles_model_code",
                table: "vehicles",
                column: "model_code");

            migrationBuilder.CreateIndex(
                name: "ix_vendor_authorisations_garage_id_vendor_id",
                table: "vendor_authorisations",
                columns: new[] { "garage_id", "vendor_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "certificate_revocations");

            migrationBuilder.DropTable(
                name: "certificate_signing_requests");

            migrationBuilder.DropTable(
                name: "declarations");

            migrationBuilder.DropTable(
                name: "grants");

            migrationBuilder.DropTable(
                name: "hub_audit_log");

            migrationBuilder.DropTable(
                name: "issued_certificates");

            migrationBuilder.DropTable(
                name: "opt_outs");

            migrationBuilder.DropTable(
                name: "parties");

            migrationBuilder.DropTable(
                name: "provision_log");

            migrationBuilder.DropTable(
                name: "provision_log_checkpoints");

            migrationBuilder.DropTable(
                name: "provision_log_subject_index");

            migrationBuilder.DropTable(
                name: "provision_log_subjects");

            migrationBuilder.DropTable(
                name: "provision_log_terms");

            migrationBuilder.DropTable(
                name: "provision_log_verifications");

            migrationBuilder.DropTable(
                name: "reference_data_version");

            migrationBuilder.DropTable(
                name: "vehicles");

            migrationBuilder.DropTable(
                name: "vendor_authorisations");

            migrationBuilder.DropTable(
                name: "customers");
        }
    }
}
