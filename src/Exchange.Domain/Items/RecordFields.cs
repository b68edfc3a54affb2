using System.Collections;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Exchange.Domain.Items;

/// <summary>Reads and masks the items of a record message through its schema options.</summary>
public static class RecordFields
{
    /// <summary>The items that carry a value in <paramref name="message"/>.</summary>
    public static IReadOnlySet<string> ItemsPresent(IMessage message)
    {
        var items = new HashSet<string>(StringComparer.Ordinal);
        Walk(message, items);
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
        var bytes = message.ToByteArray();
        return parser.WithDiscardUnknownFields(true).ParseFrom(bytes).CalculateSize() != bytes.Length;
    }

    /// <summary>Every non-empty string value with its field path, for screening free text.</summary>
    public static IEnumerable<(string Path, string Value)> Strings(IMessage message, string prefix = "")
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var path = prefix.Length == 0 ? field.Name : $"{prefix}.{field.Name}";
            var value = field.Accessor.GetValue(message);
            foreach (var element in Elements(field, value))
            {
                if (element is string text && text.Length > 0)
                {
                    yield return (path, text);
                }
                else if (element is IMessage nested)
                {
                    foreach (var inner in Strings(nested, path))
                    {
                        yield return inner;
                    }
                }
            }
        }
    }

    private static void Walk(IMessage message, HashSet<string> items)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var value = field.Accessor.GetValue(message);
            if (!HasContent(field, value))
            {
                continue;
            }

            if (ItemCatalog.ItemOf(field) is { } item)
            {
                items.Add(item);
            }

            foreach (var element in Elements(field, value))
            {
                if (element is IMessage nested)
                {
                    Walk(nested, items);
                }
            }
        }
    }

    private static void MaskInPlace(IMessage message, IReadOnlySet<string> allowed)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            if (ItemCatalog.ItemOf(field) is { } item && !allowed.Contains(item))
            {
                field.Accessor.Clear(message);
                continue;
            }

            var value = field.Accessor.GetValue(message);
            foreach (var element in Elements(field, value))
            {
                if (element is IMessage nested)
                {
                    MaskInPlace(nested, allowed);
                }
            }

            // A container left with keys only (a vehicle with just its vehicle_ref) would still
            // tell that it exists: drop it.
            if (ItemCatalog.ItemOf(field) is not null)
            {
                continue;
            }

            if (field.FieldType == FieldType.Message && field.IsRepeated && value is IList list)
            {
                for (var i = list.Count - 1; i >= 0; i--)
                {
                    if (list[i] is IMessage element && ItemsPresent(element).Count == 0)
                    {
                        list.RemoveAt(i);
                    }
                }
            }
            else if (field.FieldType == FieldType.Message && !field.IsRepeated && value is IMessage single && ItemsPresent(single).Count == 0)
            {
                field.Accessor.Clear(message);
            }
        }
    }

    private static IEnumerable<object?> Elements(FieldDescriptor field, object? value) =>
        field.IsRepeated && value is IList list ? list.Cast<object?>() : [value];

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
