using System.Data.Common;
using System.Globalization;
using Exchange.Domain.Provisions;
using Exchange.Storage.Entities;

namespace Exchange.Storage.Stores;

/// <summary>
/// The Merkle tree's inputs as stored, read with hand-written statements on one connection (and,
/// on the append path, in its transaction, so that it sees the entries it has just inserted).
/// </summary>
internal sealed class TreeRows(DbConnection connection, DbTransaction? transaction, SchemaNames names) : ITreeSource
{
    private static readonly SqlText EntryHashesSql = new(n =>
    {
        var sequence = n.Column<ProvisionEntryRow>(nameof(ProvisionEntryRow.Sequence));
        return $"SELECT {n.Column<ProvisionEntryRow>(nameof(ProvisionEntryRow.EntryHash))} FROM {n.Table<ProvisionEntryRow>()} WHERE {sequence} > @first AND {sequence} <= @last ORDER BY {sequence}";
    });

    public async Task<IReadOnlyList<byte[]>> EntryHashesAsync(TreeRange range, CancellationToken cancellationToken)
    {
        using var command = Command(EntryHashesSql.For(names));
        Add(command, "@first", range.Start);
        Add(command, "@last", range.End);
        var hashes = new List<byte[]>((int)Math.Min(range.Size, 4096));
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                hashes.Add(MerkleTree.EntryLeafData(names.Read<ProvisionEntryRow, string>(nameof(ProvisionEntryRow.EntryHash), reader.GetValue(0))));
            }
        }

        return hashes;
    }

    public async Task<IReadOnlyDictionary<TreeNode, byte[]>> StoredNodesAsync(IReadOnlyCollection<TreeNode> nodes, CancellationToken cancellationToken)
    {
        var found = new Dictionary<TreeNode, byte[]>();
        if (nodes.Count == 0)
        {
            return found;
        }

        // The keys are numbers the hub computed, never a caller's text: written into the statement, one per node.
        var keys = string.Join(",", nodes.Select(n => n.Key.ToString(CultureInfo.InvariantCulture)));
        using var command = Command($"SELECT {names.Column<ProvisionTreeNodeRow>(nameof(ProvisionTreeNodeRow.Key))}, {names.Column<ProvisionTreeNodeRow>(nameof(ProvisionTreeNodeRow.Hash))} FROM {names.Table<ProvisionTreeNodeRow>()} WHERE {names.Column<ProvisionTreeNodeRow>(nameof(ProvisionTreeNodeRow.Key))} IN ({keys})");
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                found[TreeNode.FromKey(reader.GetInt64(0))] = (byte[])reader.GetValue(1);
            }
        }

        return found;
    }

    /// <summary>
    /// Stores the subtrees of 256 leaves and more that the entries after the first
    /// <paramref name="oldSize"/> completed, through <paramref name="newSize"/>, and any older ones
    /// missing on the way (a log that predates the tree): called by the one append path, under the
    /// chain lock, in its transaction, so that every instance and provider stores the same tree.
    /// </summary>
    public static async Task AddCompletedAsync(DbTransaction transaction, SchemaNames names, long oldSize, long newSize, CancellationToken cancellationToken)
    {
        if (newSize >> MerkleTree.TileLevel == oldSize >> MerkleTree.TileLevel)
        {
            return;
        }

        var completed = new List<TreeRange>();
        for (var level = MerkleTree.TileLevel; newSize >> level > 0; level++)
        {
            for (var index = oldSize >> level; index < newSize >> level; index++)
            {
                completed.Add(new TreeNode(level, index).Range);
            }
        }

        var hasher = new TreeHasher(new TreeRows(transaction.Connection!, transaction, names));
        await hasher.HashesAsync(completed, cancellationToken).ConfigureAwait(false);
        using var insert = RowInserter<ProvisionTreeNodeRow>.Create(names, transaction.Connection!);
        insert.Transaction = transaction;
        await insert.InsertAllAsync(hasher.Derived.Select(d => new ProvisionTreeNodeRow { Key = d.Key.Key, Hash = d.Value }).ToList(), cancellationToken).ConfigureAwait(false);
    }

    private DbCommand Command(string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static void Add(DbCommand command, string name, long value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
