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
    public static IReadOnlySet<string> ItemsPresent(IMessage message) => Inspect(message, static _ => null).Items;

    /// <summary>
    /// Everything a write is checked for, in one pass over the record: the items present, whether it
    /// holds fields the schema does not know, and the first string <paramref name="screen"/> objects to.
    /// </summary>
    public static RecordInspection Inspect(IMessage message, Func<string, string?> screen)
    {
        var inspection = new Inspection(screen);
        inspection.Visit(message);
        return new RecordInspection(inspection.Items, inspection.HasUnknownFields, inspection.Problem);
    }

    /// <summary>A copy of <paramref name="message"/> in which every item not in <paramref name="allowed"/> is cleared.</summary>
    public static T Mask<T>(T message, IReadOnlySet<string> allowed)
        where T : IMessage<T>
    {
        var copy = message.Clone();
        MaskInPlace(copy, allowed);
        return copy;
    }

    private sealed class Inspection(Func<string, string?> screen)
    {
        // Field names from the record down to the message being visited; joined only for a problem.
        private readonly List<string> _path = [];

        public HashSet<string> Items { get; } = new(StringComparer.Ordinal);

        public bool HasUnknownFields { get; private set; }

        public (string Path, string Problem)? Problem { get; private set; }

        public void Visit(IMessage message)
        {
            // Fails closed should a newer Google.Protobuf keep unknown fields elsewhere (a test would show it).
            var unknown = UnknownFieldSets.GetOrAdd(message.GetType(), FindUnknownFieldSet)
                ?? throw new InvalidOperationException($"{message.GetType().Name} does not keep unknown fields where generated messages do.");
            HasUnknownFields |= unknown.GetValue(message) is not null;

            foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
            {
                var value = field.Accessor.GetValue(message);
                if (!HasContent(field, value))
                {
                    continue;
                }

                if (ItemCatalog.ItemOf(field) is { } item)
                {
                    Items.Add(item);
                }

                _path.Add(field.Name);
                if (value is IList list)
                {
                    foreach (var element in list)
                    {
                        VisitValue(element);
                    }
                }
                else
                {
                    VisitValue(value);
                }

                _path.RemoveAt(_path.Count - 1);
            }
        }

        private void VisitValue(object? value)
        {
            if (value is IMessage nested)
            {
                Visit(nested);
            }
            else if (Problem is null && value is string { Length: > 0 } text && screen(text) is { } problem)
            {
                Problem = (string.Join('.', _path), problem);
            }
        }
    }

    // Generated messages keep unknown fields in a private `_unknownFields`.
    private static FieldInfo? FindUnknownFieldSet(Type type) => type.GetField("_unknownFields", BindingFlags.Instance | BindingFlags.NonPublic);

    // Whether any item carries a value, stopping at the first.
    private static bool AnyItem(IMessage message)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var value = field.Accessor.GetValue(message);
            if (!HasContent(field, value))
            {
                continue;
            }

            if (ItemCatalog.ItemOf(field) is not null)
            {
                return true;
            }

            if (value is IList list)
            {
                foreach (var element in list)
                {
                    if (element is IMessage nested && AnyItem(nested))
                    {
                        return true;
                    }
                }
            }
            else if (value is IMessage single && AnyItem(single))
            {
                return true;
            }
        }

        return false;
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
                        if (item is null && !AnyItem(element))
                        {
                            list.RemoveAt(i);
                        }
                    }
                }
            }
            else if (value is IMessage single)
            {
                MaskInPlace(single, allowed);
                if (item is null && !AnyItem(single))
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

/// <summary>What <see cref="RecordFields.Inspect"/> found in a record.</summary>
/// <param name="Items">The items that carry a value.</param>
/// <param name="HasUnknownFields">True when some message holds fields its schema does not know.</param>
/// <param name="Problem">The first string the screen objected to, with its field path, or null.</param>
public sealed record RecordInspection(IReadOnlySet<string> Items, bool HasUnknownFields, (string Path, string Problem)? Problem);
