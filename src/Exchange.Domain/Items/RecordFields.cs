using System.Collections;
using System.Collections.Concurrent;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Exchange.Domain.Items;

/// <summary>
/// Reads and masks the items of a record message through its schema options. Every write and every
/// read walks a record here, so the walks allocate little beyond what they return (the inspection
/// decodes each string once, for the screen).
/// </summary>
public static class RecordFields
{
    /// <summary>
    /// Everything a write is checked for, in one pass over the record: the items present, whether it
    /// holds fields the schema does not know, and the first string <paramref name="screen"/> objects to.
    /// </summary>
    public static RecordInspection Inspect(IMessage message, Func<string, string?> screen) =>
        Inspect(message.Descriptor, message.ToByteArray(), screen);

    /// <summary>
    /// <see cref="Inspect(IMessage, Func{string, string?})"/> for a message of <paramref name="descriptor"/>
    /// as encoded in <paramref name="data"/>, read from the encoding itself: a write inspects the
    /// bytes it is about to store, and walking them costs less than walking the message's fields.
    /// </summary>
    public static RecordInspection Inspect(MessageDescriptor descriptor, ReadOnlySpan<byte> data, Func<string, string?> screen)
    {
        var inspection = new Inspection(screen);
        inspection.Visit(descriptor, data);
        return new RecordInspection(inspection.Items, inspection.HasUnknownFields, inspection.Problem);
    }

    /// <summary>
    /// The path of the first field in the message of <paramref name="descriptor"/> encoded in
    /// <paramref name="data"/> that its schema does not define (a number, or an encoding, the schema
    /// does not have), at any depth, or null. Messages for which <paramref name="inspectedElsewhere"/>
    /// holds are not walked: their owner inspects them (a write inspects its records, and records the
    /// refusal).
    /// </summary>
    public static string? FirstUnknownField(MessageDescriptor descriptor, ReadOnlySpan<byte> data, Func<MessageDescriptor, bool> inspectedElsewhere)
    {
        var fields = FieldTable.Of(descriptor);
        var position = 0;
        while (position < data.Length)
        {
            var (number, wireType) = Wire.ReadTag(data, ref position);
            var value = Wire.ReadValue(data, ref position, wireType, number);
            if (fields.Find(number) is not { } known || !known.Accepts(wireType))
            {
                return $"field {number}";
            }

            if (known.Field.FieldType == FieldType.Message && !inspectedElsewhere(known.Field.MessageType)
                && FirstUnknownField(known.Field.MessageType, data[(position - (int)value)..position], inspectedElsewhere) is { } inner)
            {
                return $"{known.Field.Name}.{inner}";
            }
        }

        return null;
    }

    /// <summary>
    /// A copy of <paramref name="message"/> in which every item not in <paramref name="allowed"/> is
    /// cleared, and the items left in it: what <see cref="DecodeMasked{T}"/> must agree with (tests
    /// compare them).
    /// </summary>
    internal static (T Message, IReadOnlySet<string> Items) Mask<T>(T message, IReadOnlySet<string> allowed)
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
        var fields = FieldTable.Of(Decoder<T>.Descriptor);
        var kept = new byte[data.Length];
        var length = 0;
        var position = 0;
        while (position < data.Length)
        {
            var start = position;
            var (number, wireType) = Wire.ReadTag(data, ref position);
            Wire.ReadValue(data, ref position, wireType, number);
            if (fields.Find(number) is { } field && field.MayHold(allowed))
            {
                Buffer.BlockCopy(data, start, kept, length, position - start);
                length += position - start;
            }
        }

        var message = Decoder<T>.Parser.ParseFrom(kept, 0, length);
        var items = new HashSet<string>(StringComparer.Ordinal);
        MaskInPlace(message, allowed, items);
        return (message, items);
    }

    // Walks a message's encoding. A field present in proto3's encoding carries a value, except a
    // scalar written as zero, which only a field with explicit presence (none in the records) has.
    private sealed class Inspection(Func<string, string?> screen)
    {
        // Field names from the record down to the message being visited; joined only for a problem.
        private readonly List<string> _path = [];

        public HashSet<string> Items { get; } = new(StringComparer.Ordinal);

        public bool HasUnknownFields { get; private set; }

        public (string Path, string Problem)? Problem { get; private set; }

        public void Visit(MessageDescriptor descriptor, ReadOnlySpan<byte> data)
        {
            var fields = FieldTable.Of(descriptor);
            var position = 0;
            while (position < data.Length)
            {
                var (number, wireType) = Wire.ReadTag(data, ref position);
                var start = position;
                var value = Wire.ReadValue(data, ref position, wireType, number);
                if (fields.Find(number) is not { } known || !known.Accepts(wireType))
                {
                    // What the parser keeps as an unknown field: a number, or an encoding, the schema does not have.
                    HasUnknownFields = true;
                    continue;
                }

                var payload = wireType == WireFormat.WireType.LengthDelimited ? data[(position - (int)value)..position] : data[start..position];
                var hasContent = wireType switch
                {
                    // An element of a repeated field, or a message set, counts however empty; packed elements only if any.
                    WireFormat.WireType.LengthDelimited => payload.Length > 0 || known.Field.FieldType == FieldType.Message || (known.Field.IsRepeated && !known.Field.IsPacked),
                    _ when known.Field.IsRepeated => true,
                    WireFormat.WireType.Varint => value != 0,
                    _ => payload.ContainsAnyExcept((byte)0),
                };
                if (!hasContent)
                {
                    continue;
                }

                if (known.Item is { } item)
                {
                    Items.Add(item);
                }

                if (known.Field.FieldType == FieldType.Message)
                {
                    _path.Add(known.Field.Name);
                    Visit(known.Field.MessageType, payload);
                    _path.RemoveAt(_path.Count - 1);
                }
                else if (known.Field.FieldType == FieldType.String && Problem is null && payload.Length > 0
                    && screen(System.Text.Encoding.UTF8.GetString(payload)) is { } problem)
                {
                    _path.Add(known.Field.Name);
                    Problem = (string.Join('.', _path), problem);
                    _path.RemoveAt(_path.Count - 1);
                }
            }
        }
    }

    // Reads protobuf's wire format from a span, for the walks that need no decoded message.
    private static class Wire
    {
        public static (int Number, WireFormat.WireType WireType) ReadTag(ReadOnlySpan<byte> data, ref int position)
        {
            var tag = ReadVarint(data, ref position);
            return ((int)(tag >> 3), (WireFormat.WireType)(tag & 7));
        }

        private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int position)
        {
            ulong value = 0;
            for (var shift = 0; shift < 64 && position < data.Length; shift += 7)
            {
                var b = data[position++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }

            throw new InvalidDataException("a varint is cut short or longer than ten bytes");
        }

        private static ulong Skip(ReadOnlySpan<byte> data, ref int position, int length)
        {
            if (length < 0 || length > data.Length - position)
            {
                throw new InvalidDataException("a field runs past the end of its message");
            }

            position += length;
            return (ulong)length;
        }

        // Reads past one field's value: returns a varint's value, or a length-delimited field's length.
        public static ulong ReadValue(ReadOnlySpan<byte> data, ref int position, WireFormat.WireType wireType, int number) => wireType switch
        {
            WireFormat.WireType.Varint => ReadVarint(data, ref position),
            WireFormat.WireType.Fixed64 => Skip(data, ref position, 8),
            WireFormat.WireType.Fixed32 => Skip(data, ref position, 4),
            WireFormat.WireType.LengthDelimited => Skip(data, ref position, checked((int)ReadVarint(data, ref position))),
            WireFormat.WireType.StartGroup => SkipGroup(data, ref position, number),
            _ => throw new InvalidDataException($"wire type {wireType} where a field was expected"),
        };

        // Skips a group (a proto2 encoding that proto3 parsers keep as an unknown field) through its end tag.
        private static ulong SkipGroup(ReadOnlySpan<byte> data, ref int position, int number)
        {
            while (true)
            {
                var (inner, wireType) = ReadTag(data, ref position);
                if (wireType == WireFormat.WireType.EndGroup && inner == number)
                {
                    return 0;
                }

                ReadValue(data, ref position, wireType, inner);
            }
        }
    }

    /// <summary>A message's fields by number, with their items and the wire types their values may come in.</summary>
    private sealed class FieldTable
    {
        private static readonly ConcurrentDictionary<MessageDescriptor, FieldTable> Tables = new();
        private readonly Entry?[] _byNumber;

        private FieldTable(MessageDescriptor descriptor)
        {
            var fields = descriptor.Fields.InFieldNumberOrder();
            _byNumber = new Entry?[fields.Count == 0 ? 0 : fields[^1].FieldNumber + 1];
            foreach (var field in fields)
            {
                var within = field.FieldType == FieldType.Message ? CollectItems(field.MessageType, []).ToArray() : [];
                _byNumber[field.FieldNumber] = new Entry(field, ItemCatalog.ItemOf(field), within);
            }
        }

        public static FieldTable Of(MessageDescriptor descriptor) => Tables.GetOrAdd(descriptor, static d => new FieldTable(d));

        public Entry? Find(int number) => number >= 0 && number < _byNumber.Length ? _byNumber[number] : null;

        /// <param name="Field">The field.</param>
        /// <param name="Item">The item it carries, or null for structure.</param>
        /// <param name="ItemsWithin">The items of the message it holds, at any depth.</param>
        public readonly record struct Entry(FieldDescriptor Field, string? Item, string[] ItemsWithin)
        {
            // Whether masking can leave anything of the field: a field with an item only when it is
            // allowed; structure only when it holds no items at all (keys) or some allowed one.
            public bool MayHold(IReadOnlySet<string> allowed) =>
                Item is not null ? allowed.Contains(Item) : ItemsWithin.Length == 0 || Array.Exists(ItemsWithin, allowed.Contains);

            public bool Accepts(WireFormat.WireType wireType) => Field.FieldType switch
            {
                FieldType.Message or FieldType.String or FieldType.Bytes => wireType == WireFormat.WireType.LengthDelimited,
                FieldType.Group => wireType == WireFormat.WireType.StartGroup,
                FieldType.Double or FieldType.Fixed64 or FieldType.SFixed64 => wireType == WireFormat.WireType.Fixed64 || (Field.IsRepeated && wireType == WireFormat.WireType.LengthDelimited),
                FieldType.Float or FieldType.Fixed32 or FieldType.SFixed32 => wireType == WireFormat.WireType.Fixed32 || (Field.IsRepeated && wireType == WireFormat.WireType.LengthDelimited),
                _ => wireType == WireFormat.WireType.Varint || (Field.IsRepeated && wireType == WireFormat.WireType.LengthDelimited),
            };
        }
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

/// <summary>What <see cref="RecordFields.Inspect(IMessage, Func{string, string?})"/> found in a record.</summary>
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
