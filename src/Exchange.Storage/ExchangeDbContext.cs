using Exchange.Storage.Entities;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Exchange.Storage;

/// <summary>
/// The hub's database: one model for every provider, with snake_case table and column names. Each
/// provider has its own context type deriving from this one (<see cref="Sqlite.SqliteExchangeDbContext"/>,
/// <see cref="Postgres.PostgresExchangeDbContext"/>), so that each has its own migrations. Staff
/// accounts are ASP.NET Core Identity's own tables (users, claims, logins, tokens), in this model; so is
/// ASP.NET Core Data Protection's key ring, which every hub instance on the database shares.
/// </summary>
internal abstract class ExchangeDbContext(DbContextOptions options) : IdentityUserContext<StaffAccount>(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<PartyRow> Parties => Set<PartyRow>();
    public DbSet<VendorAuthorisationRow> VendorAuthorisations => Set<VendorAuthorisationRow>();
    public DbSet<DeclarationRow> Declarations => Set<DeclarationRow>();
    public DbSet<GrantRow> Grants => Set<GrantRow>();
    public DbSet<CustomerRow> Customers => Set<CustomerRow>();
    public DbSet<VehicleIndexRow> Vehicles => Set<VehicleIndexRow>();
    public DbSet<OptOutRow> OptOuts => Set<OptOutRow>();
    public DbSet<SyncSessionRow> SyncSessions => Set<SyncSessionRow>();
    public DbSet<ProvisionEntryRow> ProvisionEntries => Set<ProvisionEntryRow>();
    public DbSet<ProvisionTermsRow> ProvisionTerms => Set<ProvisionTermsRow>();
    public DbSet<ProvisionSubjectRow> ProvisionSubjects => Set<ProvisionSubjectRow>();
    public DbSet<SubjectIndexStateRow> SubjectIndexState => Set<SubjectIndexStateRow>();
    public DbSet<ReferenceDataVersionRow> ReferenceDataVersion => Set<ReferenceDataVersionRow>();
    public DbSet<CheckpointRow> Checkpoints => Set<CheckpointRow>();
    public DbSet<VerifiedCheckpointRow> VerifiedCheckpoints => Set<VerifiedCheckpointRow>();
    public DbSet<ProvisionTreeNodeRow> TreeNodes => Set<ProvisionTreeNodeRow>();
    public DbSet<TreeCheckpointRow> TreeCheckpoints => Set<TreeCheckpointRow>();
    public DbSet<TreeCosignatureRow> TreeCosignatures => Set<TreeCosignatureRow>();
    public DbSet<SigningRequestRow> SigningRequests => Set<SigningRequestRow>();
    public DbSet<IssuedCertificateRow> IssuedCertificates => Set<IssuedCertificateRow>();
    public DbSet<CertificateRevocationRow> CertificateRevocations => Set<CertificateRevocationRow>();
    public DbSet<HubAuditRow> HubAudit => Set<HubAuditRow>();
    public DbSet<FeedEventRow> FeedEvents => Set<FeedEventRow>();
    public DbSet<FeedHorizonRow> FeedHorizons => Set<FeedHorizonRow>();
    public DbSet<RecallCampaignRow> RecallCampaigns => Set<RecallCampaignRow>();
    public DbSet<RecallCampaignVersionRow> RecallCampaignVersions => Set<RecallCampaignVersionRow>();
    public DbSet<RecallRangeRow> RecallRanges => Set<RecallRangeRow>();
    public DbSet<RecallVehicleRow> RecallVehicles => Set<RecallVehicleRow>();
    public DbSet<RecallHistoryRow> RecallHistory => Set<RecallHistoryRow>();
    public DbSet<ExceptionalProvisionRow> ExceptionalProvisions => Set<ExceptionalProvisionRow>();
    public DbSet<ExceptionalProvisionEntryRow> ExceptionalProvisionEntries => Set<ExceptionalProvisionEntryRow>();
    public DbSet<RetentionRunRow> RetentionRuns => Set<RetentionRunRow>();
    public DbSet<LogReductionRow> LogReduction => Set<LogReductionRow>();
    public DbSet<SubjectRequestRow> SubjectRequests => Set<SubjectRequestRow>();
    public DbSet<SubjectRequestPropagationRow> SubjectRequestPropagations => Set<SubjectRequestPropagationRow>();

    /// <summary>
    /// True where the log has an index by person (<see cref="Postgres.PostgresExchangeDbContext"/>); otherwise
    /// <c>provision_log_subjects</c>, filled by <see cref="Stores.ProvisionSubjectIndexer"/>, is the lookup.
    /// </summary>
    public virtual bool LogIndexedBySubject => false;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // UTC ticks on every provider: they sort and compare correctly, SQLite has no instant type,
        // and PostgreSQL's timestamptz keeps microseconds only, which would change the instants the
        // provision log's hashes cover.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<StaffAccount>(e =>
        {
            e.ToTable("staff_accounts");
            e.Property(a => a.PartyId).HasMaxLength(64);
            e.Property(a => a.DisplayName).HasMaxLength(100);
            e.HasIndex(a => a.PartyId);
        });
        modelBuilder.Entity<IdentityUserClaim<string>>().ToTable("staff_account_claims");
        modelBuilder.Entity<IdentityUserLogin<string>>().ToTable("staff_account_logins");
        modelBuilder.Entity<IdentityUserToken<string>>().ToTable("staff_account_tokens");
        modelBuilder.Entity<DataProtectionKey>().ToTable("data_protection_keys");
        modelBuilder.Entity<PartyRow>(e =>
        {
            e.ToTable("parties");
            e.HasKey(p => p.Id);
            e.Property(p => p.Id).HasMaxLength(64);
            e.Property(p => p.Role).HasMaxLength(32);
            e.Property(p => p.Status).HasMaxLength(16);
        });
        modelBuilder.Entity<VendorAuthorisationRow>(e =>
        {
            e.ToTable("vendor_authorisations");
            e.HasIndex(a => new { a.GarageId, a.VendorId });
        });
        modelBuilder.Entity<DeclarationRow>(e =>
        {
            e.ToTable("declarations");
            e.HasKey(d => d.Version);
            e.Property(d => d.Version).ValueGeneratedNever();
        });
        modelBuilder.Entity<GrantRow>(e =>
        {
            e.ToTable("grants");
            e.HasIndex(g => new { g.SubjectKind, g.Subject, g.Purpose }).IsUnique();
        });
        modelBuilder.Entity<CustomerRow>(e =>
        {
            e.ToTable("customers");
            e.HasIndex(c => new { c.OwnerParty, c.CustomerRef }).IsUnique();
            // No index on SubjectId: it is derived from (OwnerParty, CustomerRef), unique already, and no
            // query looks a customer up by it; a random-keyed index would cost a page write per insert.
            e.HasIndex(c => c.Prefecture);
            e.HasMany(c => c.Vehicles).WithOne().HasForeignKey(v => v.CustomerId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<VehicleIndexRow>(e =>
        {
            e.ToTable("vehicles");
            e.HasIndex(v => v.ModelCode);
            e.HasIndex(v => v.ChassisNumber);
            // A campaign's ranges are matched along this index (docs/recall.md).
            e.HasIndex(v => new { v.ChassisFrame, v.ChassisSerial });
            e.Property(v => v.ChassisFrame).HasMaxLength(32);
        });
        modelBuilder.Entity<OptOutRow>(e =>
        {
            e.ToTable("opt_outs");
            e.HasKey(o => new { o.SubjectId, o.Purpose });
        });
        modelBuilder.Entity<SyncSessionRow>(e =>
        {
            e.ToTable("sync_sessions");
            e.HasKey(s => s.Id);
            e.Property(s => s.Id).HasMaxLength(64);
            e.Property(s => s.PartyId).HasMaxLength(64);
            e.Property(s => s.Purpose).HasMaxLength(64);
        });
        modelBuilder.Entity<ProvisionEntryRow>(e =>
        {
            e.ToTable("provision_log");
            e.HasKey(p => p.Sequence);
            e.Property(p => p.Sequence).ValueGeneratedNever();
            e.Property(p => p.SubjectId).HasConversion(CompactHex.Subject.Converter);
            e.Property(p => p.CallId).HasConversion(CompactHex.Call.Converter);
            e.Property(p => p.EntryHash).HasConversion(CompactHex.Hash.Converter);
            // No foreign key to the terms: verification reads an entry whose terms are gone as altered.
        });
        modelBuilder.Entity<ProvisionTermsRow>(e =>
        {
            e.ToTable("provision_log_terms");
            e.HasIndex(t => t.Digest).IsUnique();
            e.Property(t => t.DeclarationHash).HasConversion(CompactHex.Hash.Converter);
        });
        modelBuilder.Entity<ProvisionSubjectRow>(e =>
        {
            // WITHOUT ROWID on SQLite (in its migration), so the key is stored once, in the primary key.
            e.ToTable("provision_log_subjects");
            e.HasKey(s => new { s.SubjectId, s.Sequence });
            e.Property(s => s.SubjectId).HasConversion(CompactHex.Subject.Converter);
        });
        modelBuilder.Entity<SubjectIndexStateRow>(e =>
        {
            e.ToTable("provision_log_subject_index");
            e.HasKey(s => s.Id);
            e.Property(s => s.Id).ValueGeneratedNever();
        });
        modelBuilder.Entity<ReferenceDataVersionRow>(e =>
        {
            // Read with the caller's standing on every call: the primary key, one row, there from the start.
            e.ToTable("reference_data_version");
            e.HasKey(v => v.Id);
            e.Property(v => v.Id).ValueGeneratedNever();
            e.HasData(new ReferenceDataVersionRow { Id = Stores.ReferenceDataVersion.RowId, Version = 0 });
        });
        modelBuilder.Entity<CheckpointRow>(e =>
        {
            e.ToTable("provision_log_checkpoints");
            e.HasIndex(c => c.Sequence);
        });
        modelBuilder.Entity<ProvisionTreeNodeRow>(e =>
        {
            e.ToTable("provision_log_tree");
            e.HasKey(n => n.Key);
            e.Property(n => n.Key).ValueGeneratedNever();
        });
        modelBuilder.Entity<TreeCheckpointRow>(e =>
        {
            e.ToTable("provision_log_tree_checkpoints");
            e.HasKey(c => c.Size);
            e.Property(c => c.Size).ValueGeneratedNever();
        });
        modelBuilder.Entity<TreeCosignatureRow>(e =>
        {
            e.ToTable("provision_log_tree_cosignatures");
            e.HasKey(c => new { c.Size, c.Witness });
            e.HasOne<TreeCheckpointRow>().WithMany().HasForeignKey(c => c.Size).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<VerifiedCheckpointRow>(e =>
        {
            e.ToTable("provision_log_verifications");
            e.HasIndex(v => v.Sequence);
        });
        modelBuilder.Entity<SigningRequestRow>(e =>
        {
            e.ToTable("certificate_signing_requests");
            e.HasKey(r => r.Id);
            e.Property(r => r.Id).HasMaxLength(64);
            e.Property(r => r.PartyId).HasMaxLength(64);
            e.Property(r => r.Status).HasMaxLength(16);
            e.HasIndex(r => new { r.PartyId, r.Status });
        });
        modelBuilder.Entity<IssuedCertificateRow>(e =>
        {
            e.ToTable("issued_certificates");
            e.HasKey(c => c.SerialNumber);
            e.Property(c => c.SerialNumber).HasMaxLength(80);
            e.Property(c => c.PartyId).HasMaxLength(64);
            e.Property(c => c.Kind).HasMaxLength(16);
            e.HasIndex(c => c.PartyId);
            e.HasIndex(c => c.PublicKeySha256);
            e.HasIndex(c => c.RenewedFrom);
        });
        modelBuilder.Entity<CertificateRevocationRow>(e =>
        {
            // Read on every call and every TLS handshake: the serial is the primary key.
            e.ToTable("certificate_revocations");
            e.HasKey(r => r.SerialNumber);
            e.Property(r => r.SerialNumber).HasMaxLength(80);
        });
        modelBuilder.Entity<HubAuditRow>(e =>
        {
            e.ToTable("hub_audit_log");
            e.HasKey(a => a.Sequence);
            e.HasIndex(a => a.Subject);
        });
        modelBuilder.Entity<FeedEventRow>(e =>
        {
            // Generated on insert, never reused after pruning (AUTOINCREMENT on SQLite, an identity on PostgreSQL).
            e.ToTable("feed_events");
            e.HasKey(f => f.Sequence);
            e.Property(f => f.Sequence).ValueGeneratedOnAdd();
            e.Property(f => f.Recipient).HasMaxLength(64);
            e.HasIndex(f => new { f.Recipient, f.Sequence });
            e.HasIndex(f => f.StoredAt);
            e.HasIndex(f => f.DedupKey).IsUnique();
            e.Property(f => f.RequestId).HasMaxLength(64);
            e.HasIndex(f => f.RequestId);
        });
        modelBuilder.Entity<FeedHorizonRow>(e =>
        {
            e.ToTable("feed_horizons");
            e.HasKey(h => h.Recipient);
            e.Property(h => h.Recipient).HasMaxLength(64);
        });
        modelBuilder.Entity<RecallCampaignRow>(e =>
        {
            e.ToTable("recall_campaigns");
            e.Property(c => c.RecallNumber).HasMaxLength(32);
            e.HasIndex(c => c.RecallNumber).IsUnique();
        });
        modelBuilder.Entity<RecallCampaignVersionRow>(e =>
        {
            e.ToTable("recall_campaign_versions");
            e.HasKey(v => new { v.RecallNumber, v.Version });
            e.Property(v => v.RecallNumber).HasMaxLength(32);
            e.Property(v => v.PublishedBy).HasMaxLength(64);
        });
        modelBuilder.Entity<RecallRangeRow>(e =>
        {
            // A vehicle written later finds the ranges that cover it along (frame, serial_from).
            e.ToTable("recall_ranges");
            e.Property(r => r.RecallNumber).HasMaxLength(32);
            e.Property(r => r.Frame).HasMaxLength(32);
            e.HasIndex(r => new { r.Frame, r.SerialFrom });
        });
        modelBuilder.Entity<RecallVehicleRow>(e =>
        {
            e.ToTable("recall_vehicles");
            e.Property(v => v.RecallNumber).HasMaxLength(32);
            e.Property(v => v.OwnerParty).HasMaxLength(64);
            e.HasIndex(v => new { v.RecallNumber, v.OwnerParty, v.CustomerRef, v.VehicleRef }).IsUnique();
            e.HasIndex(v => new { v.RecallNumber, v.QueuedAt });
        });
        modelBuilder.Entity<RecallHistoryRow>(e =>
        {
            e.ToTable("recall_history");
            e.Property(h => h.Actor).HasMaxLength(64);
            e.HasIndex(h => h.RecallVehicleId);
        });
        modelBuilder.Entity<ExceptionalProvisionRow>(e =>
        {
            e.ToTable("exceptional_provisions");
            e.Property(x => x.Id).HasMaxLength(32);
            e.HasIndex(x => new { x.RecordedAt, x.Id });
        });
        modelBuilder.Entity<ExceptionalProvisionEntryRow>(e =>
        {
            e.ToTable("exceptional_provision_entries");
            e.HasKey(x => x.Sequence);
            e.Property(x => x.Sequence).ValueGeneratedNever();
            e.Property(x => x.ProvisionId).HasMaxLength(32);
        });
        modelBuilder.Entity<RetentionRunRow>(e =>
        {
            e.ToTable("retention_runs");
            e.HasKey(x => x.Sequence);
            e.Property(x => x.Sequence).ValueGeneratedOnAdd();
            e.Property(x => x.Id).HasMaxLength(32);
            e.HasIndex(x => x.Id).IsUnique();
        });
        modelBuilder.Entity<LogReductionRow>(e =>
        {
            e.ToTable("provision_log_reduction");
            e.Property(x => x.Id).ValueGeneratedNever();
        });
        modelBuilder.Entity<SubjectRequestRow>(e =>
        {
            // Listed newest first along the sequence; found by the ID a caller holds.
            e.ToTable("subject_requests");
            e.HasKey(r => r.Sequence);
            e.Property(r => r.Sequence).ValueGeneratedOnAdd();
            e.Property(r => r.Id).HasMaxLength(64);
            e.HasIndex(r => r.Id).IsUnique();
            e.Property(r => r.OpenedBy).HasMaxLength(64);
            e.HasIndex(r => r.OpenedBy);
        });
        modelBuilder.Entity<SubjectRequestPropagationRow>(e =>
        {
            // The reminder job finds the pending ones due along (outcome, next_reminder_at).
            e.ToTable("subject_request_propagations");
            e.HasKey(p => new { p.RequestId, p.Partner });
            e.Property(p => p.RequestId).HasMaxLength(64);
            e.Property(p => p.Partner).HasMaxLength(64);
            e.Property(p => p.RefusalReason).HasMaxLength(500);
            e.HasIndex(p => new { p.Outcome, p.NextReminderAt });
        });
    }

    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(v => v.UtcTicks, v => new DateTimeOffset(v, TimeSpan.Zero));
}
