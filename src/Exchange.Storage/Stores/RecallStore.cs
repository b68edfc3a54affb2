using System.Data.Common;
using Exchange.Contracts.V1;
using Exchange.Domain.Recalls;
using Exchange.Storage.Entities;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Exchange.Storage.Stores;

internal sealed class RecallStore(Lazy<ExchangeDbContext> context) : IRecallStore
{
    // Ids per UPDATE when notices are marked queued: bounds one statement's parameter.
    private const int IdChunk = 10_000;

    private ExchangeDbContext Db => context.Value;

    public async Task<bool> AddVersionAsync(PublishedCampaign campaign, CampaignCriteria criteria, int startsOn, CancellationToken cancellationToken)
    {
        var number = campaign.RecallNumber;
        if (campaign.Version == 1)
        {
            using var insert = RowInserter<RecallCampaignRow>.Create(Db, returnKey: true, unlessExists: [nameof(RecallCampaignRow.RecallNumber)]);
            if (await insert.InsertAsync(new RecallCampaignRow { RecallNumber = number, CurrentVersion = 1, StartsOn = startsOn, CreatedAt = campaign.PublishedAt }, cancellationToken).ConfigureAwait(false) == 0)
            {
                return false;
            }
        }
        else
        {
            var previous = campaign.Version - 1;
            var moved = await Db.RecallCampaigns.Where(c => c.RecallNumber == number && c.CurrentVersion == previous)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.CurrentVersion, campaign.Version).SetProperty(c => c.StartsOn, startsOn), cancellationToken).ConfigureAwait(false);
            if (moved == 0)
            {
                return false;
            }
        }

        using (var version = RowInserter<RecallCampaignVersionRow>.Create(Db))
        {
            await version.InsertAsync(new RecallCampaignVersionRow { RecallNumber = number, Version = campaign.Version, Definition = campaign.Definition.ToByteArray(), PublishedBy = campaign.PublishedBy, PublishedAt = campaign.PublishedAt }, cancellationToken).ConfigureAwait(false);
        }

        using var ranges = RowInserter<RecallRangeRow>.Create(Db);
        await ranges.InsertAllAsync(criteria.Ranges.Select(r => new RecallRangeRow { RecallNumber = number, Version = campaign.Version, Frame = r.Frame, SerialFrom = r.SerialFrom, SerialTo = r.SerialTo }).ToList(), cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<PublishedCampaign?> FindAsync(string recallNumber, int version, CancellationToken cancellationToken)
    {
        var versions = Db.RecallCampaignVersions.AsNoTracking().Where(v => v.RecallNumber == recallNumber);
        versions = version == 0
            ? versions.Where(v => Db.RecallCampaigns.Any(c => c.RecallNumber == recallNumber && c.CurrentVersion == v.Version))
            : versions.Where(v => v.Version == version);
        var row = await versions.FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToCampaign(row);
    }

    public async Task<IReadOnlyList<PublishedCampaign>> ListAsync(CancellationToken cancellationToken)
    {
        var rows = await (from c in Db.RecallCampaigns.AsNoTracking()
                          join v in Db.RecallCampaignVersions.AsNoTracking() on new { c.RecallNumber, Version = c.CurrentVersion } equals new { v.RecallNumber, v.Version }
                          orderby c.Id descending
                          select v).ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.Select(ToCampaign).ToList();
    }

    public async Task<IReadOnlyDictionary<string, long>> AffectedCountsAsync(IReadOnlyCollection<string> recallNumbers, CancellationToken cancellationToken)
    {
        var numbers = recallNumbers.ToList();
        return await Db.RecallVehicles.AsNoTracking().Where(v => numbers.Contains(v.RecallNumber))
            .GroupBy(v => v.RecallNumber)
            .Select(g => new { g.Key, Count = g.LongCount() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, StringComparer.Ordinal, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<AffectedVehicleState>> MatchAsync(string recallNumber, int version, CampaignCriteria criteria, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var transaction = Db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Campaigns are matched inside a unit of work only.");
        var names = new SchemaNames(Db.Model, Db.GetService<ISqlGenerationHelper>());
        var matched = new List<AffectedVehicleState>();
        // One statement per range, along the (frame, serial) index; a vehicle the campaign affects already is left as it is.
        foreach (var range in criteria.Ranges)
        {
            using var command = transaction.Connection!.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = MatchSql(names, criteria, command, recallNumber, version, range, at);
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                matched.Add(new AffectedVehicleState(reader.GetInt64(0), recallNumber, reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), version, (int)RecallStep.Affected, at, null, null, null, null, null, null));
            }
        }

        return matched;
    }

    public async Task<IReadOnlyList<string>> CoveringAsync(IReadOnlyCollection<(string Frame, long Serial)> chassis, CancellationToken cancellationToken)
    {
        var frames = chassis.Select(c => c.Frame).Distinct(StringComparer.Ordinal).ToList();
        var ranges = await (from r in Db.RecallRanges.AsNoTracking()
                            join c in Db.RecallCampaigns.AsNoTracking() on new { r.RecallNumber, r.Version } equals new { c.RecallNumber, Version = c.CurrentVersion }
                            where frames.Contains(r.Frame)
                            select new { r.RecallNumber, r.Frame, r.SerialFrom, r.SerialTo }).ToListAsync(cancellationToken).ConfigureAwait(false);
        return ranges.Where(r => chassis.Any(c => c.Frame == r.Frame && c.Serial >= r.SerialFrom && c.Serial <= r.SerialTo))
            .Select(r => r.RecallNumber).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    public async Task<IReadOnlyList<AffectedVehicleState>> AddAffectedAsync(IReadOnlyList<NewAffectedVehicle> vehicles, DateTimeOffset at, CancellationToken cancellationToken)
    {
        using var insert = RowInserter<RecallVehicleRow>.Create(Db, returnKey: true, unlessExists: [nameof(RecallVehicleRow.RecallNumber), nameof(RecallVehicleRow.OwnerParty), nameof(RecallVehicleRow.CustomerRef), nameof(RecallVehicleRow.VehicleRef)]);
        // One round trip for the batch on PostgreSQL (RowInserter's unnest path); a key of 0 is a vehicle already affected.
        var rows = vehicles.Select(v => new RecallVehicleRow { RecallNumber = v.RecallNumber, OwnerParty = v.OwnerParty, CustomerRef = v.CustomerRef, VehicleRef = v.VehicleRef, SubjectId = v.SubjectId, MatchedByVersion = v.Version, Step = (int)RecallStep.Affected, AffectedAt = at }).ToList();
        var ids = await insert.InsertAllAsync(rows, cancellationToken).ConfigureAwait(false);
        var added = new List<AffectedVehicleState>();
        for (var i = 0; i < rows.Count; i++)
        {
            if (ids[i] != 0)
            {
                rows[i].Id = ids[i];
                added.Add(ToState(rows[i]));
            }
        }

        return added;
    }

    public async Task AppendHistoryAsync(IReadOnlyList<RecallStepRecord> steps, CancellationToken cancellationToken)
    {
        if (steps.Count == 0)
        {
            return;
        }

        using var insert = RowInserter<RecallHistoryRow>.Create(Db);
        await insert.InsertAllAsync(steps.Select(s => new RecallHistoryRow { RecallVehicleId = s.VehicleId, Step = s.Step, At = s.At, Actor = s.Actor, CallId = s.CallId, Details = s.Details }).ToList(), cancellationToken).ConfigureAwait(false);
    }

    public async Task MarkQueuedAsync(IReadOnlyCollection<long> vehicleIds, DateTimeOffset at, CancellationToken cancellationToken)
    {
        foreach (var chunk in vehicleIds.Chunk(IdChunk))
        {
            await Db.RecallVehicles.Where(v => chunk.Contains(v.Id)).ExecuteUpdateAsync(s => s.SetProperty(v => v.QueuedAt, at), cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<string>> DueAsync(int today, CancellationToken cancellationToken) =>
        await Db.RecallCampaigns.AsNoTracking()
            .Where(c => c.StartsOn <= today && Db.RecallVehicles.Any(v => v.RecallNumber == c.RecallNumber && v.QueuedAt == null))
            .OrderBy(c => c.Id)
            .Select(c => c.RecallNumber)
            .ToListAsync(cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<AffectedVehicleState>> UnqueuedAsync(string recallNumber, int count, CancellationToken cancellationToken) =>
        (await Db.RecallVehicles.AsNoTracking().Where(v => v.RecallNumber == recallNumber && v.QueuedAt == null).OrderBy(v => v.Id).Take(count)
            .ToListAsync(cancellationToken).ConfigureAwait(false)).Select(ToState).ToList();

    public async Task<AffectedVehicleState?> FindVehicleAsync(string recallNumber, string ownerParty, string customerRef, string vehicleRef, CancellationToken cancellationToken)
    {
        var row = await Db.RecallVehicles.AsNoTracking()
            .FirstOrDefaultAsync(v => v.RecallNumber == recallNumber && v.OwnerParty == ownerParty && v.CustomerRef == customerRef && v.VehicleRef == vehicleRef, cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToState(row);
    }

    public async Task<bool> UpdateAsync(AffectedVehicleState before, AffectedVehicleState after, CancellationToken cancellationToken) =>
        await Db.RecallVehicles
            .Where(v => v.Id == before.Id && v.Step == before.Step && v.NotifiedAt == before.NotifiedAt && v.AcknowledgedAt == before.AcknowledgedAt
                && v.ContactedOn == before.ContactedOn && v.ContactMethod == before.ContactMethod && v.RepairedOn == before.RepairedOn && v.RepairOrderRef == before.RepairOrderRef)
            .ExecuteUpdateAsync(
                s => s.SetProperty(v => v.Step, after.Step)
                    .SetProperty(v => v.NotifiedAt, after.NotifiedAt)
                    .SetProperty(v => v.AcknowledgedAt, after.AcknowledgedAt)
                    .SetProperty(v => v.ContactedOn, after.ContactedOn)
                    .SetProperty(v => v.ContactMethod, after.ContactMethod)
                    .SetProperty(v => v.RepairedOn, after.RepairedOn)
                    .SetProperty(v => v.RepairOrderRef, after.RepairOrderRef),
                cancellationToken).ConfigureAwait(false) == 1;

    public async Task<IReadOnlyList<AffectedVehicleState>> PageAsync(string recallNumber, string ownerParty, int? step, (string CustomerRef, string VehicleRef)? after, int count, CancellationToken cancellationToken)
    {
        var query = Db.RecallVehicles.AsNoTracking().Where(v => v.RecallNumber == recallNumber && v.OwnerParty == ownerParty);
        if (step is { } at)
        {
            query = query.Where(v => v.Step == at);
        }

        if (after is var (customerRef, vehicleRef))
        {
            query = query.Where(v => v.CustomerRef.CompareTo(customerRef) > 0 || (v.CustomerRef == customerRef && v.VehicleRef.CompareTo(vehicleRef) > 0));
        }

        var rows = await query.OrderBy(v => v.CustomerRef).ThenBy(v => v.VehicleRef).Take(count).ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.Select(ToState).ToList();
    }

    public async Task<IReadOnlyList<RecallStepCount>> CountsAsync(string recallNumber, string? ownerParty, CancellationToken cancellationToken)
    {
        var query = Db.RecallVehicles.AsNoTracking().Where(v => v.RecallNumber == recallNumber);
        if (ownerParty is not null)
        {
            query = query.Where(v => v.OwnerParty == ownerParty);
        }

        var counts = await query.GroupBy(v => new { v.OwnerParty, v.Step }).Select(g => new { g.Key.OwnerParty, g.Key.Step, Count = g.LongCount() })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return counts.Select(c => new RecallStepCount(c.OwnerParty, c.Step, c.Count)).ToList();
    }

    // INSERT … SELECT of one range's vehicles, with the campaign's model and registration filters, returning what it stored.
    private static string MatchSql(SchemaNames n, CampaignCriteria criteria, DbCommand command, string recallNumber, int version, NormalisedRange range, DateTimeOffset at)
    {
        var p = n.Sql;
        string Parameter(string name, object value)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = p.GenerateParameterName(name);
            parameter.Value = value;
            command.Parameters.Add(parameter);
            return p.GenerateParameterNamePlaceholder(name);
        }

        string V(string property) => "v." + n.Column<VehicleIndexRow>(property);
        string C(string property) => "c." + n.Column<CustomerRow>(property);
        string R(string property) => n.Column<RecallVehicleRow>(property);
        var filters = new List<string>
        {
            $"{V(nameof(VehicleIndexRow.ChassisFrame))} = {Parameter("frame", range.Frame)}",
            $"{V(nameof(VehicleIndexRow.ChassisSerial))} BETWEEN {Parameter("serial_from", range.SerialFrom)} AND {Parameter("serial_to", range.SerialTo)}",
        };
        if (criteria.FiltersModels)
        {
            var models = new List<string>();
            if (criteria.FullCodes.Count > 0)
            {
                models.Add($"{V(nameof(VehicleIndexRow.ModelCodeNormalised))} IN ({string.Join(", ", criteria.FullCodes.Select((c, i) => Parameter("code" + i, c)))})");
            }

            if (criteria.Bases.Count > 0)
            {
                models.Add($"{V(nameof(VehicleIndexRow.ModelBase))} IN ({string.Join(", ", criteria.Bases.Select((c, i) => Parameter("base" + i, c)))})");
            }

            filters.Add($"({string.Join(" OR ", models)})");
        }

        if (criteria.RegisteredFrom is { } from)
        {
            filters.Add($"{V(nameof(VehicleIndexRow.FirstRegistered))} >= {Parameter("registered_from", from)}");
        }

        if (criteria.RegisteredTo is { } to)
        {
            filters.Add($"{V(nameof(VehicleIndexRow.FirstRegistered))} <= {Parameter("registered_to", to)}");
        }

        return $"INSERT INTO {n.Table<RecallVehicleRow>()} ({R(nameof(RecallVehicleRow.RecallNumber))}, {R(nameof(RecallVehicleRow.OwnerParty))}, {R(nameof(RecallVehicleRow.CustomerRef))}, {R(nameof(RecallVehicleRow.VehicleRef))}, " +
            $"{R(nameof(RecallVehicleRow.SubjectId))}, {R(nameof(RecallVehicleRow.MatchedByVersion))}, {R(nameof(RecallVehicleRow.Step))}, {R(nameof(RecallVehicleRow.AffectedAt))}) " +
            $"SELECT {Parameter("recall_number", recallNumber)}, {C(nameof(CustomerRow.OwnerParty))}, {C(nameof(CustomerRow.CustomerRef))}, {V(nameof(VehicleIndexRow.VehicleRef))}, {C(nameof(CustomerRow.SubjectId))}, " +
            $"{Parameter("version", version)}, {Parameter("step", (int)RecallStep.Affected)}, {Parameter("at", at.UtcTicks)} " +
            $"FROM {n.Table<VehicleIndexRow>()} v JOIN {n.Table<CustomerRow>()} c ON {C(nameof(CustomerRow.Id))} = {V(nameof(VehicleIndexRow.CustomerId))} " +
            $"WHERE {string.Join(" AND ", filters)} " +
            $"ON CONFLICT ({R(nameof(RecallVehicleRow.RecallNumber))}, {R(nameof(RecallVehicleRow.OwnerParty))}, {R(nameof(RecallVehicleRow.CustomerRef))}, {R(nameof(RecallVehicleRow.VehicleRef))}) DO NOTHING " +
            $"RETURNING {R(nameof(RecallVehicleRow.Id))}, {R(nameof(RecallVehicleRow.OwnerParty))}, {R(nameof(RecallVehicleRow.CustomerRef))}, {R(nameof(RecallVehicleRow.VehicleRef))}, {R(nameof(RecallVehicleRow.SubjectId))}";
    }

    private static PublishedCampaign ToCampaign(RecallCampaignVersionRow row) =>
        new(CampaignDefinition.Parser.ParseFrom(row.Definition), row.Version, row.PublishedBy, row.PublishedAt);

    private static AffectedVehicleState ToState(RecallVehicleRow row) =>
        new(row.Id, row.RecallNumber, row.OwnerParty, row.CustomerRef, row.VehicleRef, row.SubjectId, row.MatchedByVersion, row.Step, row.AffectedAt, row.NotifiedAt, row.AcknowledgedAt, row.ContactedOn, row.ContactMethod, row.RepairedOn, row.RepairOrderRef);
}
