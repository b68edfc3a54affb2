using System.Collections.Concurrent;
using Exchange.Contracts.V1;
using Google.Protobuf.Reflection;

namespace Exchange.Domain.Items;

/// <summary>
/// The declared items as the schema defines them: every item ID found in an
/// <c>(exchange.v1.item)</c> field option under a record message. Built from the descriptors, so
/// the schema stays the only list.
/// </summary>
public sealed class ItemCatalog
{
    private static readonly ConcurrentDictionary<FieldDescriptor, string?> FieldItems = new();
    private readonly HashSet<string> _items = new(StringComparer.Ordinal);

    private ItemCatalog(MessageDescriptor root)
    {
        Collect(root, []);
        Groups = _items.Select(GroupOf).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The catalog of <see cref="CustomerRecord"/>.</summary>
    public static ItemCatalog CustomerRecords { get; } = new(CustomerRecord.Descriptor);

    /// <summary>Every item ID, e.g. <c>contact.phone</c>.</summary>
    public IReadOnlySet<string> Items => _items;

    /// <summary>Every group, e.g. <c>contact</c>.</summary>
    public IReadOnlySet<string> Groups { get; }

    /// <summary>The group of an item ID (the part before the first dot).</summary>
    public static string GroupOf(string item)
    {
        var dot = item.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? item : item[..dot];
    }

    /// <summary>The item a field carries, or null for structure.</summary>
    public static string? ItemOf(FieldDescriptor field) => FieldItems.GetOrAdd(field, static f =>
    {
        // GetOptions() copies the options on every call: read once per field, not once per value.
        var item = f.GetOptions()?.GetExtension(ItemsExtensions.Item);
        return string.IsNullOrEmpty(item) ? null : item;
    });

    /// <summary>
    /// Expands item IDs and group names into item IDs. Returns false, naming the first entry that
    /// is neither, when any is unknown.
    /// </summary>
    public bool TryExpand(IEnumerable<string> requested, out IReadOnlySet<string> items, out string? unknown)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in requested)
        {
            if (_items.Contains(entry))
            {
                result.Add(entry);
            }
            else if (Groups.Contains(entry))
            {
                result.UnionWith(_items.Where(i => GroupOf(i) == entry));
            }
            else
            {
                items = result;
                unknown = entry;
                return false;
            }
        }

        items = result;
        unknown = null;
        return true;
    }

    private void Collect(MessageDescriptor message, HashSet<string> visiting)
    {
        if (!visiting.Add(message.FullName))
        {
            return;
        }

        foreach (var field in message.Fields.InFieldNumberOrder())
        {
            if (ItemOf(field) is { } item)
            {
                _items.Add(item);
            }

            if (field.FieldType == FieldType.Message && field.MessageType.File == message.File)
            {
                Collect(field.MessageType, visiting);
            }
        }

        visiting.Remove(message.FullName);
    }
}
