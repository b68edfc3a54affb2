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
    private static readonly ConcurrentDictionary<FieldDescriptor, string[]> ItemsWithin = new();

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

    /// <summary>A copy of <paramref name="message"/> in which every item not in <paramref name="allowed"/> is cleared, and the items left in it.</summary>
    public static (T Message, IReadOnlySet<string> Items) Mask<T>(T message, IReadOnlySet<string> allowed)
        where T : IMessage<T>
    {
        var copy = message.Clone();
        var items = new HashSet<string>(StringComparer.Ordinal);
        MaskInPlace(copy, allowed, items);
        return (copy, items);
    }

    /// <summary>
    /// What <see cref="Mask{T}"/> makes of the message encoded in <paramref name="data"/>, decoding only
    /// that: fields of the outer message that hold no item in <paramref name="allowed"/> are skipped
    /// undecoded, and fields the schema does not know are dropped at every depth, so they cannot leave.
    /// </summary>
    public static (T Message, IReadOnlySet<string> Items) DecodeMasked<T>(byte[] data, IReadOnlySet<string> allowed)
        where T : IMessage<T>, new()
    {
        var descriptor = Decoder<T>.Descriptor;
        var kept = new byte[data.Length];
        var length = 0;
        var input = new CodedInputStream(data);
        while (true)
        {
            var start = (int)input.Position;
            var tag = input.ReadTag();
            if (tag == 0)
            {
                break;
            }

            input.SkipLastField();
            if (descriptor.FindFieldByNumber(WireFormat.GetTagFieldNumber(tag)) is { } field && MayHold(field, allowed))
            {
                var end = (int)input.Position;
                Buffer.BlockCopy(data, start, kept, length, end - start);
                length += end - start;
            }
        }

        var message = Decoder<T>.Parser.ParseFrom(kept, 0, length);
        var items = new HashSet<string>(StringComparer.Ordinal);
        MaskInPlace(message, allowed, items);
        return (message, items);
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

    // Whether masking can leave anything of the field: a field with an item only when it is allowed;
    // structure only when it holds no items at all (keys) or some allowed one.
    private static bool MayHold(FieldDescriptor field, IReadOnlySet<string> allowed)
    {
        if (ItemCatalog.ItemOf(field) is { } item)
        {
            return allowed.Contains(item);
        }

        var within = ItemsWithin.GetOrAdd(field, static f => f.FieldType == FieldType.Message ? CollectItems(f.MessageType, []).ToArray() : []);
        return within.Length == 0 || Array.Exists(within, allowed.Contains);
    }

    private static HashSet<string> CollectItems(MessageDescriptor message, HashSet<string> items)
    {
        foreach (var field in message.Fields.InFieldNumberOrder())
        {
            if (ItemCatalog.ItemOf(field) is { } item)
            {
                items.Add(item);
            }
            else if (field.FieldType == FieldType.Message && field.MessageType != message)
            {
                CollectItems(field.MessageType, items);
            }
        }

        return items;
    }

    // Clears every item not allowed and drops the containers left without items (a vehicle with just
    // its vehicle_ref would still tell that it exists); adds the items left with a value to present,
    // and returns whether there is any.
    private static bool MaskInPlace(IMessage message, IReadOnlySet<string> allowed, HashSet<string> present)
    {
        var holds = false;
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var item = ItemCatalog.ItemOf(field);
            if (item is not null && !allowed.Contains(item))
            {
                field.Accessor.Clear(message);
                continue;
            }

            if (item is null && field.FieldType != FieldType.Message)
            {
                continue;
            }

            var value = field.Accessor.GetValue(message);
            var nestedHolds = false;
            if (field.FieldType == FieldType.Message && value is IList list)
            {
                for (var i = list.Count - 1; i >= 0; i--)
                {
                    if (list[i] is IMessage element)
                    {
                        var elementHolds = MaskInPlace(element, allowed, present);
                        nestedHolds |= elementHolds;
                        if (item is null && !elementHolds)
                        {
                            list.RemoveAt(i);
                        }
                    }
                }
            }
            else if (value is IMessage single)
            {
                nestedHolds = MaskInPlace(single, allowed, present);
                if (item is null && !nestedHolds)
                {
                    field.Accessor.Clear(message);
                }
            }

            if (item is not null && HasContent(field, value))
            {
                present.Add(item);
                holds = true;
            }

            holds |= nestedHolds;
        }

        return holds;
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

/// <summary>The descriptor of <typeparamref name="T"/>, and a parser of it that drops fields the schema does not know.</summary>
file static class Decoder<T>
    where T : IMessage<T>, new()
{
    public static readonly MessageDescriptor Descriptor = new T().Descriptor;

    public static readonly MessageParser<T> Parser = new MessageParser<T>(static () => new T()).WithDiscardUnknownFields(true);
}
