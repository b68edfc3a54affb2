using Exchange.Contracts.V1;
using Exchange.Domain.Declarations;
using Exchange.Domain.Items;
using Google.Protobuf;

namespace Exchange.Domain.Subjects;

/// <summary>
/// The checks of a request's fields at the edge, each failure INVALID_ARGUMENT naming the field
/// (rule <see cref="Rule"/>), before anything is read or written.
/// </summary>
public static class SubjectRequestValidation
{
    /// <summary>The rule of a malformed request.</summary>
    public const string Rule = "subject-request.malformed";

    /// <summary>The most records one request names.</summary>
    public const int MaxRecords = 20;

    /// <summary>The most purposes one cessation names.</summary>
    public const int MaxPurposes = 20;

    /// <summary>The longest verifier's name or ID.</summary>
    public const int MaxVerifiedBy = 100;

    /// <summary>The longest note, refusal reason or acknowledgement reason.</summary>
    public const int MaxText = 500;

    /// <summary>The largest correction, encoded.</summary>
    public const int MaxCorrectionBytes = 64 * 1024;

    /// <summary>The longest request ID accepted.</summary>
    public const int MaxRequestId = 64;

    // A verification may be recorded a little ahead of the hub's clock, not more.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>A malformed-request refusal naming <paramref name="field"/>.</summary>
    public static ExchangeException Malformed(string field, string problem) =>
        new(FailureKind.InvalidArgument, $"{field} {problem} (rule {Rule})", Rule);

    /// <summary>Checks an opening request's kind, records, correction and purposes (not who may open it).</summary>
    public static void CheckOpen(OpenRequestRequest request, DeclarationRecord declaration, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(declaration);
        if (request.Kind == SubjectRequestKind.Unspecified || !Enum.IsDefined(request.Kind))
        {
            throw Malformed("kind", $"must name a kind of request, not {(int)request.Kind}");
        }

        if (request.Records.Count is 0 or > MaxRecords)
        {
            throw Malformed("records", $"must name 1 to {MaxRecords} records, not {request.Records.Count}");
        }

        var seen = new HashSet<(string, string)>();
        for (var i = 0; i < request.Records.Count; i++)
        {
            var key = request.Records[i];
            if (!Identifiers.IsPartyId(key.OwnerParty))
            {
                throw Malformed($"records[{i}].owner_party", $"{Identifiers.Quote(key.OwnerParty)} is not a party ID");
            }

            if (Identifiers.ReferenceProblem(key.CustomerRef) is { } problem)
            {
                throw Malformed($"records[{i}].customer_ref", problem);
            }

            if (!seen.Add((key.OwnerParty, key.CustomerRef)))
            {
                throw Malformed($"records[{i}]", "names a record twice");
            }
        }

        if (request.Verification is { } verification)
        {
            CheckVerification(verification, "verification", now);
        }

        CheckCorrection(request, declaration);
        CheckPurposes(request, declaration);
    }

    /// <summary>Checks an identity verification's fields.</summary>
    public static void CheckVerification(IdentityVerification? verification, string field, DateTimeOffset now)
    {
        if (verification is null)
        {
            throw Malformed(field, "is required");
        }

        CheckText(verification.VerifiedBy, $"{field}.verified_by", MaxVerifiedBy, required: true);
        if (verification.Method == VerificationMethod.Unspecified || !Enum.IsDefined(verification.Method))
        {
            throw Malformed($"{field}.method", $"must name how the identity was verified, not {(int)verification.Method}");
        }

        if (verification.VerifiedAt is null)
        {
            throw Malformed($"{field}.verified_at", "is required");
        }

        if (verification.VerifiedAt.Seconds < 0 || verification.VerifiedAt.Nanos is < 0 or > 999_999_999 || verification.VerifiedAt.ToDateTimeOffset() > now + ClockSkew)
        {
            throw Malformed($"{field}.verified_at", "is not a time up to now");
        }

        CheckText(verification.Note, $"{field}.note", MaxText, required: false);
    }

    /// <summary>Checks free text: its length, and that it holds only characters the hub accepts.</summary>
    public static void CheckText(string text, string field, int max, bool required)
    {
        if (Identifiers.FreeTextProblem(text, max, required) is { } problem)
        {
            throw Malformed(field, problem);
        }
    }

    /// <summary>Checks a request ID's form (a request that cannot exist is INVALID_ARGUMENT, not NOT_FOUND).</summary>
    public static void CheckRequestId(string requestId)
    {
        if (string.IsNullOrEmpty(requestId) || requestId.Length > MaxRequestId || !requestId.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw Malformed("request_id", $"{Identifiers.Quote(requestId.Length > MaxRequestId ? requestId[..MaxRequestId] + "…" : requestId)} is not a request ID");
        }
    }

    private static void CheckCorrection(OpenRequestRequest request, DeclarationRecord declaration)
    {
        if (request.Kind != SubjectRequestKind.Correction)
        {
            if (request.Correction is not null)
            {
                throw Malformed("correction", "is given only with a correction");
            }

            return;
        }

        var correction = request.Correction ?? throw Malformed("correction", "is required for a correction");
        if (request.Records.Count != 1)
        {
            throw Malformed("records", "must name exactly one record for a correction");
        }

        var key = request.Records[0];
        if ((correction.OwnerParty.Length > 0 && correction.OwnerParty != key.OwnerParty) || (correction.CustomerRef.Length > 0 && correction.CustomerRef != key.CustomerRef))
        {
            throw Malformed("correction", "names another record than records[0]");
        }

        var encoded = correction.ToByteArray();
        if (encoded.Length > MaxCorrectionBytes)
        {
            throw Malformed("correction", $"is larger than {MaxCorrectionBytes} bytes");
        }

        var inspection = RecordFields.Inspect(CustomerRecord.Descriptor, encoded, _ => null);
        if (inspection.HasUnknownFields)
        {
            throw Malformed("correction", "carries fields the schema does not define");
        }

        if (inspection.Items.Count == 0)
        {
            throw Malformed("correction", "corrects no item");
        }

        var undeclared = inspection.Items.Where(i => !declaration.Items.Contains(i)).Order(StringComparer.Ordinal).ToList();
        if (undeclared.Count > 0)
        {
            throw Malformed("correction", $"names item(s) {string.Join(", ", undeclared)}, not declared in declaration version {declaration.Version}");
        }
    }

    private static void CheckPurposes(OpenRequestRequest request, DeclarationRecord declaration)
    {
        if (request.Kind != SubjectRequestKind.CessationOfProvision)
        {
            if (request.Purposes.Count > 0)
            {
                throw Malformed("purposes", "are given only with a cessation of provision");
            }

            return;
        }

        if (request.Purposes.Count > MaxPurposes)
        {
            throw Malformed("purposes", $"name at most {MaxPurposes} purposes, not {request.Purposes.Count}");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < request.Purposes.Count; i++)
        {
            var purpose = request.Purposes[i];
            var declared = Identifiers.IsPurpose(purpose) ? declaration.Purpose(purpose) : null;
            if (declared is null)
            {
                throw Malformed($"purposes[{i}]", $"{Identifiers.Quote(purpose)} is not declared in declaration version {declaration.Version}");
            }

            if (!declared.OptOutAllowed)
            {
                throw Malformed($"purposes[{i}]", $"'{purpose}' cannot be stopped: a person may not opt out of it");
            }

            if (!seen.Add(purpose))
            {
                throw Malformed($"purposes[{i}]", "names a purpose twice");
            }
        }
    }
}
