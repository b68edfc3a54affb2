using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Exchange.Domain.Provisions;
using Exchange.Storage.Entities;

namespace Exchange.Storage.Stores;

/// <summary>
/// Finds or adds the <see cref="ProvisionTermsRow"/> of each entry appended: the entries of a hub
/// state the same few terms again and again, so each is stored once. Remembers the IDs of terms
/// committed, so that an append looks up in the database only terms it has not seen yet.
/// </summary>
internal sealed class ProvisionTerms
{
    // Callers choose the items and purposes of their refusals, so terms vary as they please: what is remembered is bounded.
    private const int MaxRemembered = 16_384;

    // Only terms whose rows are committed: an ID from a transaction that rolled back may be another's tomorrow.
    private readonly ConcurrentDictionary<string, int> _committed = new(StringComparer.Ordinal);

    private static readonly SqlText FindSql = new(n =>
        $"SELECT {n.Column<ProvisionTermsRow>(nameof(ProvisionTermsRow.Id))} FROM {n.Table<ProvisionTermsRow>()} WHERE {n.Column<ProvisionTermsRow>(nameof(ProvisionTermsRow.Digest))} = @digest");

    /// <summary>
    /// The terms ID of each of <paramref name="entries"/>, adding terms not stored yet, in
    /// <paramref name="transaction"/> (which holds the chain lock, so no other writer adds them
    /// meanwhile). Terms added go to <paramref name="added"/>: pass them to <see cref="Committed"/>
    /// once the transaction commits.
    /// </summary>
    public async Task<int[]> ResolveAsync(DbTransaction transaction, SchemaNames names, IReadOnlyList<ChainedProvision> entries, List<KeyValuePair<string, int>> added, CancellationToken cancellationToken)
    {
        var ids = new int[entries.Count];
        Dictionary<string, int>? found = null;
        RowInserter<ProvisionTermsRow>? insert = null;
        try
        {
            for (var i = 0; i < entries.Count; i++)
            {
                var fact = entries[i].Fact;
                var key = KeyOf(fact);
                if (_committed.TryGetValue(key, out ids[i]))
                {
                    continue;
                }

                found ??= new(StringComparer.Ordinal);
                if (found.TryGetValue(key, out ids[i]))
                {
                    continue;
                }

                var digest = SHA256.HashData(Encoding.UTF8.GetBytes(key));
                if (await FindAsync(transaction, names, digest, cancellationToken).ConfigureAwait(false) is { } existing)
                {
                    // Remembered after the commit too: the row found may be this transaction's own, added by an earlier append.
                    ids[i] = found[key] = existing;
                    added.Add(new(key, existing));
                    continue;
                }

                insert ??= RowInserter<ProvisionTermsRow>.Create(names, transaction.Connection!, returnKey: true);
                insert.Transaction = transaction;
                ids[i] = found[key] = checked((int)await insert.InsertAsync(RowOf(fact, digest), cancellationToken).ConfigureAwait(false));
                added.Add(new(key, ids[i]));
            }
        }
        finally
        {
            insert?.Dispose();
        }

        return ids;
    }

    /// <summary>Remembers terms added by a transaction that has committed.</summary>
    public void Committed(IEnumerable<KeyValuePair<string, int>> added)
    {
        if (_committed.Count >= MaxRemembered)
        {
            // The terms in use are found again in the database, one lookup each.
            _committed.Clear();
        }

        foreach (var (key, id) in added)
        {
            _committed.TryAdd(key, id);
        }
    }

    /// <summary>The fact with the time, person and call of <paramref name="entry"/> and the terms of <paramref name="terms"/> (empty when they are missing).</summary>
    public static ProvisionFact FactOf(ProvisionEntryRow entry, ProvisionTermsRow? terms) => new(
        entry.Time,
        terms?.Provider ?? "",
        terms?.Recipient ?? "",
        terms?.Agent,
        entry.SubjectId,
        (terms?.Items ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries),
        terms?.Purpose ?? "",
        terms?.DeclarationVersion ?? 0,
        terms?.DeclarationHash ?? "",
        entry.CallId,
        (Contracts.V1.ProvisionOutcome)(terms?.Outcome ?? 0),
        terms?.Rule,
        terms?.StaffId);

    // Facts joining the chain hold identifiers only (ProvisionFact.Problem): no field holds a line break, none is
    // empty but the purpose, and the items hold no space, so this text tells every two terms apart.
    private static string KeyOf(ProvisionFact fact) => string.Join(
        '\n',
        fact.Provider,
        fact.Recipient,
        fact.Agent ?? "",
        string.Join(' ', fact.Items),
        fact.Purpose,
        fact.DeclarationVersion.ToString(CultureInfo.InvariantCulture),
        fact.DeclarationHash,
        ((int)fact.Outcome).ToString(CultureInfo.InvariantCulture),
        fact.Rule ?? "",
        fact.StaffId ?? "");

    private static ProvisionTermsRow RowOf(ProvisionFact fact, byte[] digest) => new()
    {
        Digest = digest,
        Provider = fact.Provider,
        Recipient = fact.Recipient,
        Agent = fact.Agent,
        Items = string.Join(' ', fact.Items),
        Purpose = fact.Purpose,
        DeclarationVersion = fact.DeclarationVersion,
        DeclarationHash = fact.DeclarationHash,
        Outcome = (int)fact.Outcome,
        Rule = fact.Rule,
        StaffId = fact.StaffId,
    };

    private static async Task<int?> FindAsync(DbTransaction transaction, SchemaNames names, byte[] digest, CancellationToken cancellationToken)
    {
        using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = FindSql.For(names);
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@digest";
        parameter.Value = digest;
        command.Parameters.Add(parameter);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is { } id and not DBNull ? Convert.ToInt32(id, CultureInfo.InvariantCulture) : null;
    }
}
