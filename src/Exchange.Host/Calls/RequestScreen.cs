using System.Collections;
using System.Buffers;
using Exchange.Contracts.V1;
using Exchange.Domain;
using Exchange.Domain.Items;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Exchange.Host.Calls;

/// <summary>
/// Decodes each request and checks what every request of every service must be before any code of
/// the hub sees it: a message of its type, every string within it at most <see cref="MaxText"/>
/// characters of text the hub accepts (<see cref="Identifiers.TextProblem"/>), every timestamp and
/// duration within the range protobuf defines. Anything else is INVALID_ARGUMENT, counted and
/// logged at a bounded rate by <see cref="CallRefusals"/>. Each service checks the forms of its own
/// fields (identifiers, references) on top of this.
/// </summary>
internal sealed class RequestScreen(CallRefusals refusals)
{
    /// <summary>The longest string any request may hold, in UTF-16 code units (a certificate request in PEM fits).</summary>
    public const int MaxText = 16_384;

    // google.protobuf.Timestamp: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z.
    private const long MinTimestampSeconds = -62_135_596_800;
    private const long MaxTimestampSeconds = 253_402_300_799;

    // google.protobuf.Duration: ±10,000 years.
    private const long MaxDurationSeconds = 315_576_000_000;

    /// <summary><paramref name="method"/> with its requests decoded through this screen.</summary>
    public Method<TRequest, TResponse> Screened<TRequest, TResponse>(Method<TRequest, TResponse> method)
        where TRequest : class
        where TResponse : class
    {
        var decode = method.RequestMarshaller.ContextualDeserializer;
        var marshaller = Marshallers.Create(method.RequestMarshaller.ContextualSerializer, context => Decode(method.FullName, decode, context));
        return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, marshaller, method.ResponseMarshaller);
    }

    /// <summary>Why <paramref name="message"/> may not enter the hub, with the path of the field, or null.</summary>
    public static string? Problem(IMessage message) => Problem(message, "");

    private TRequest Decode<TRequest>(string method, Func<DeserializationContext, TRequest> decode, DeserializationContext context)
    {
        TRequest request;
        string? unknown;
        try
        {
            request = decode(context);
            unknown = request is IMessage decoded ? UnknownField(decoded.Descriptor, context.PayloadAsReadOnlySequence()) : null;
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidDataException)
        {
            throw refusals.Malformed(method, $"the request is not a valid {typeof(TRequest).Name} message: {e.Message}");
        }

        if (unknown is not null)
        {
            throw refusals.Malformed(method, $"{unknown} is not defined by {typeof(TRequest).Name}: the hub refuses what its schema does not define rather than drop it");
        }

        return request is IMessage message && Problem(message) is { } problem ? throw refusals.Malformed(method, problem) : request;
    }

    // Records are inspected by the write itself, which records the refusal of one with unknown fields.
    private static string? UnknownField(MessageDescriptor descriptor, ReadOnlySequence<byte> payload) =>
        RecordFields.FirstUnknownField(descriptor, payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray(), d => d == CustomerRecord.Descriptor);

    private static string? Problem(IMessage message, string path)
    {
        switch (message)
        {
            case Timestamp t:
                return t.Seconds is < MinTimestampSeconds or > MaxTimestampSeconds || t.Nanos is < 0 or > 999_999_999
                    ? $"{Name(path)} is not a timestamp between years 1 and 9999"
                    : null;
            case Duration d:
                return d.Seconds is < -MaxDurationSeconds or > MaxDurationSeconds || d.Nanos is < -999_999_999 or > 999_999_999 || (d.Seconds != 0 && d.Nanos != 0 && (d.Seconds < 0) != (d.Nanos < 0))
                    ? $"{Name(path)} is not a duration within ±10,000 years"
                    : null;
        }

        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            if (field.FieldType is not (FieldType.String or FieldType.Message))
            {
                continue;
            }

            var value = field.Accessor.GetValue(message);
            var at = path.Length == 0 ? field.Name : $"{path}.{field.Name}";
            var problem = value switch
            {
                IDictionary map => map.Keys.Cast<object>().Select((k, i) => Check(k, $"{at}[{i}].key")).FirstOrDefault(p => p is not null)
                    ?? map.Values.Cast<object>().Select((v, i) => Check(v, $"{at}[{i}].value")).FirstOrDefault(p => p is not null),
                IList list => list.Cast<object>().Select((v, i) => Check(v, $"{at}[{i}]")).FirstOrDefault(p => p is not null),
                _ => Check(value, at),
            };
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? Check(object? value, string path) => value switch
    {
        string text when text.Length > MaxText => $"{path} is longer than {MaxText} characters",
        string text => Identifiers.TextProblem(text) is { } problem ? $"{path} {problem}" : null,
        IMessage nested => Problem(nested, path),
        _ => null,
    };

    private static string Name(string path) => path.Length == 0 ? "the request" : path;
}
