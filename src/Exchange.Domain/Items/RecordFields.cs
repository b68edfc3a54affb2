using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Exchange.Domain.Items;

/// <summary>
/// Reads and masks the items of a record message through its schema options. Every write and every
/// read walks a record here, so the walks allocate nothing beyond what they return.
/// </summary>
public static class RecordFields
{
    private static readonly ConcurrentDictionary<Type, FieldInfo?> UnknownFieldSets = new();

    /// <summary>The items that carry a value in <paramref name="message"/>.</summary>
    public static IReadOnlySet<string> ItemsPresent(IMessage message)
    {
        var items = new HashSet<string>(StringComparer.Ordinal);
        AnyItem(message, items);
        return items;
    }

    /// <summary>A copy of <paramref name="message"/> in which every item not in <paramref name="allowed"/> is cleared.</summary>
    public static T Mask<T>(T message, IReadOnlySet<string> allowed)
        where T : IMessage<T>
    {
        var copy = message.Clone();
        MaskInPlace(copy, allowed);
        return copy;
    }

    /// <summary>True when the message (at any depth) holds fields its schema does not know.</summary>
    public static bool HasUnknownFields<T>(T message, MessageParser<T> parser)
        where T : IMessage<T>
    {
        if (HasUnknownFieldSet(message) is { } found)
        {
            return found;
        }

        // Not generated code as expected: compare with a copy that dropped them.
        var bytes = message.ToByteArray();
        return parser.WithDiscardUnknownFields(true).ParseFrom(bytes).CalculateSize() != bytes.Length;
    }

    /// <summary>
    /// The first non-empty string value for which <paramref name="check"/> names a problem, with its
    /// field path (<c>repairs.work.description</c>), or null when every string passes.
    /// </summary>
    public static (string Path, string Problem)? FindString(IMessage message, Func<string, string?> check)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            if (field.FieldType is not (FieldType.String or FieldType.Message))
            {
                continue;
            }

            var value = field.Accessor.GetValue(message);
            if (value is IList list)
            {
                foreach (var element in list)
                {
                    if (Check(field, element, check) is { } found)
                    {
                        return found;
                    }
                }
            }
            else if (Check(field, value, check) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    private static (string Path, string Problem)? Check(FieldDescriptor field, object? value, Func<string, string?> check) => value switch
    {
        string { Length: > 0 } text when check(text) is { } problem => (field.Name, problem),
        IMessage nested when FindString(nested, check) is { } inner => ($"{field.Name}.{inner.Path}", inner.Problem),
        _ => null,
    };

    // Generated messages keep unknown fields in a private `_unknownFields`; null when there is no such field.
    private static bool? HasUnknownFieldSet(IMessage message)
    {
        var unknown = UnknownFieldSets.GetOrAdd(message.GetType(), static t => t.GetField("_unknownFields", BindingFlags.Instance | BindingFlags.NonPublic));
        if (unknown is null)
        {
            return null;
        }

        if (unknown.GetValue(message) is not null)
        {
            return true;
        }

        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            if (field.FieldType != FieldType.Message)
            {
                continue;
            }

            var value = field.Accessor.GetValue(message);
            if (value is IList list)
            {
                foreach (var element in list)
                {
                    if (element is IMessage nested && HasUnknownFieldSet(nested) is var found && found != false)
                    {
                        return found;
                    }
                }
            }
            else if (value is IMessage nested && HasUnknownFieldSet(nested) is var found && found != false)
            {
                return found;
            }
        }

        return false;
    }

    // Adds the items present to `items`; with no set, stops at the first item and says whether there was one.
    private static bool AnyItem(IMessage message, HashSet<string>? items)
    {
        var any = false;
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var value = field.Accessor.GetValue(message);
            if (!HasContent(field, value))
            {
                continue;
            }

            if (ItemCatalog.ItemOf(field) is { } item)
            {
                if (items is null)
                {
                    return true;
                }

                items.Add(item);
                any = true;
            }

            if (value is IList list)
            {
                foreach (var element in list)
                {
                    if (element is IMessage nested && AnyItem(nested, items) && items is null)
                    {
                        return true;
                    }
                }
            }
            else if (value is IMessage single && AnyItem(single, items))
            {
                if (items is null)
                {
                    return true;
                }

                any = true;
            }
        }

        return any;
    }

    private static void MaskInPlace(IMessage message, IReadOnlySet<string> allowed)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var item = ItemCatalog.ItemOf(field);
            if (item is not null && !allowed.Contains(item))
            {
                field.Accessor.Clear(message);
                continue;
            }

            if (field.FieldType != FieldType.Message)
            {
                continue;
            }

            var value = field.Accessor.GetValue(message);
            if (value is IList list)
            {
                for (var i = list.Count - 1; i >= 0; i--)
                {
                    if (list[i] is IMessage element)
                    {
                        MaskInPlace(element, allowed);

                        // A container left with keys only (a vehicle with just its vehicle_ref) would
                        // still tell that it exists: drop it.
                        if (item is null && !AnyItem(element, null))
                        {
                            list.RemoveAt(i);
                        }
                    }
                }
            }
            else if (value is IMessage single)
            {
                MaskInPlace(single, allowed);
                if (item is null && !AnyItem(single, null))
                {
                    field.Accessor.Clear(message);
                }
            }
        }
    }

    private static bool HasContent(FieldDescriptor field, object? value) => value switch
    {
        null => false,
        IList list => list.Count > 0,
        string s => s.Length > 0,
        ByteString b => b.Length > 0,
        bool b => b,
        int i => i != 0,
        long l => l != 0,
        float f => f != 0,
        double d => d != 0,
        uint u => u != 0,
        ulong u => u != 0,
        Enum e => Convert.ToInt32(e, System.Globalization.CultureInfo.InvariantCulture) != 0,
        IMessage m => m.CalculateSize() > 0 || field.HasPresence,
        _ => true,
    };
}
