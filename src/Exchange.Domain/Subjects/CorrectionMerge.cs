using Exchange.Contracts.V1;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Exchange.Domain.Subjects;

/// <summary>
/// Applies a correction (a record holding only the items to correct) onto a stored record: a value
/// the correction sets replaces the stored one, a message it sets is corrected field by field, and
/// a list it sets (vehicles, repairs, costs) replaces the stored list whole, since a list's entries
/// have no identity a partial list could be matched by. The record's key is never changed.
/// </summary>
public static class CorrectionMerge
{
    /// <summary>A copy of <paramref name="stored"/> with <paramref name="correction"/> applied.</summary>
    public static CustomerRecord Apply(CustomerRecord stored, CustomerRecord correction)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(correction);
        var result = stored.Clone();
        Merge(result, correction);
        result.OwnerParty = stored.OwnerParty;
        result.CustomerRef = stored.CustomerRef;
        return result;
    }

    private static void Merge(IMessage target, IMessage source)
    {
        foreach (var field in source.Descriptor.Fields.InFieldNumberOrder())
        {
            var accessor = field.Accessor;
            if (field.IsMap || field.IsRepeated)
            {
                var list = (System.Collections.IList)accessor.GetValue(source);
                if (list.Count > 0)
                {
                    var targetList = (System.Collections.IList)accessor.GetValue(target);
                    targetList.Clear();
                    foreach (var value in list)
                    {
                        targetList.Add(value is IMessage m ? m.Descriptor.Parser.ParseFrom(m.ToByteString()) : value);
                    }
                }

                continue;
            }

            if (!IsSet(field, source))
            {
                continue;
            }

            var sourceValue = accessor.GetValue(source);
            if (field.FieldType == FieldType.Message && !IsWellKnownValue(field.MessageType))
            {
                var targetValue = (IMessage?)accessor.GetValue(target);
                if (targetValue is null)
                {
                    targetValue = field.MessageType.Parser.ParseFrom(ByteString.Empty);
                    accessor.SetValue(target, targetValue);
                }

                Merge(targetValue, (IMessage)sourceValue);
            }
            else
            {
                accessor.SetValue(target, sourceValue is IMessage m ? m.Descriptor.Parser.ParseFrom(m.ToByteString()) : sourceValue);
            }
        }
    }

    // A timestamp, a date or a wrapper is one value: corrected whole.
    private static bool IsWellKnownValue(MessageDescriptor descriptor) =>
        descriptor.File.Package is "google.protobuf" or "google.type" || descriptor.Name is "Date";

    private static bool IsSet(FieldDescriptor field, IMessage message) =>
        field.HasPresence ? field.Accessor.HasValue(message)
        : field.FieldType == FieldType.Enum ? Convert.ToInt32(field.Accessor.GetValue(message), System.Globalization.CultureInfo.InvariantCulture) != 0
        : !Equals(field.Accessor.GetValue(message), Default(field));

    private static object? Default(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.String => "",
        FieldType.Bytes => ByteString.Empty,
        FieldType.Bool => false,
        FieldType.Double => 0d,
        FieldType.Float => 0f,
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => 0L,
        FieldType.UInt64 or FieldType.Fixed64 => 0UL,
        FieldType.UInt32 or FieldType.Fixed32 => 0U,
        _ => 0,
    };
}
