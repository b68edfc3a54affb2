using System.Globalization;
using System.Text;
using Exchange.Domain;
using Exchange.Domain.Provisions;

namespace Exchange.Host;

/// <summary>
/// The provision log's Merkle tree on the public endpoint, for anyone: the latest C2SP checkpoint,
/// the verifier key, and inclusion and consistency proofs as plain text (docs/transparency.md).
/// </summary>
internal static class TransparencyEndpoints
{
    /// <summary>Everything under this path is the transparency log's.</summary>
    public const string Prefix = "/log/";

    public const string CheckpointPath = "/log/checkpoint";
    public const string KeyPath = "/log/key";
    public const string InclusionPath = "/log/proof/inclusion";
    public const string ConsistencyPath = "/log/proof/consistency";

    /// <summary>The latest checkpoint's response says how many witnesses cosigned it, how many the policy asks for, and whether that is met.</summary>
    public const string CosignaturesHeader = "Log-Cosignatures";
    public const string QuorumHeader = "Log-Witness-Quorum";
    public const string QuorumMetHeader = "Log-Witness-Quorum-Met";

    private static readonly string[] GetAndHead = [HttpMethods.Get, HttpMethods.Head];

    /// <summary>Maps the checkpoint, the key and the proofs, to GET and HEAD.</summary>
    public static void MapTransparencyLog(this IEndpointRouteBuilder app)
    {
        app.MapMethods(KeyPath, GetAndHead, (ProvisionTree tree) => Text(tree.VerifierKey + "\n"));
        app.MapMethods(CheckpointPath, GetAndHead, (ProvisionTree tree, HttpResponse response, CancellationToken ct) =>
            AnswerAsync(async () =>
            {
                var cosigned = await tree.CosignedAsync(0, ct).ConfigureAwait(false);
                response.Headers[CosignaturesHeader] = cosigned.Cosignatures.Count.ToString(CultureInfo.InvariantCulture);
                response.Headers[QuorumHeader] = cosigned.Policy.Quorum.ToString(CultureInfo.InvariantCulture);
                response.Headers[QuorumMetHeader] = cosigned.QuorumMet ? "true" : "false";
                return cosigned.Note;
            }));
        app.MapMethods(InclusionPath, GetAndHead, (ProvisionTree tree, string? sequence, string? size, CancellationToken ct) =>
            AnswerAsync(async () =>
            {
                var proof = await tree.ProveInclusionAsync(Number(sequence, "sequence", required: true), Number(size, "size", required: false), ct).ConfigureAwait(false);
                return Lines([proof.TreeSize.ToString(CultureInfo.InvariantCulture), proof.Sequence.ToString(CultureInfo.InvariantCulture), proof.EntryHash], proof.Hashes);
            }));
        app.MapMethods(ConsistencyPath, GetAndHead, (ProvisionTree tree, string? first, string? second, CancellationToken ct) =>
            AnswerAsync(async () =>
            {
                var proof = await tree.ProveConsistencyAsync(Number(first, "first", required: true), Number(second, "second", required: false), ct).ConfigureAwait(false);
                return Lines([proof.FirstSize.ToString(CultureInfo.InvariantCulture), proof.SecondSize.ToString(CultureInfo.InvariantCulture)], proof.Hashes);
            }));
    }

    private static async Task<IResult> AnswerAsync(Func<Task<string>> answer)
    {
        try
        {
            return Text(await answer().ConfigureAwait(false));
        }
        catch (ExchangeException e)
        {
            var status = e.Kind switch
            {
                FailureKind.InvalidArgument => StatusCodes.Status400BadRequest,
                FailureKind.FailedPrecondition => StatusCodes.Status503ServiceUnavailable,
                _ => StatusCodes.Status404NotFound,
            };
            return Results.Text(e.Message + "\n", "text/plain; charset=utf-8", Encoding.UTF8, status);
        }
    }

    private static IResult Text(string text) => Results.Text(text, "text/plain; charset=utf-8", Encoding.UTF8);

    private static string Lines(IEnumerable<string> head, IEnumerable<byte[]> hashes) =>
        string.Concat(head.Concat(hashes.Select(Convert.ToBase64String)).Select(line => line + "\n"));

    // A missing optional number is 0 (the latest checkpoint); anything but decimal digits is refused.
    private static long Number(string? text, string name, bool required)
    {
        if (string.IsNullOrEmpty(text))
        {
            return required ? throw new ExchangeException(FailureKind.InvalidArgument, $"the query parameter {name} is required") : 0;
        }

        return text.Length <= 19 && text.All(char.IsAsciiDigit) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ExchangeException(FailureKind.InvalidArgument, $"the query parameter {name} must be a decimal number");
    }
}
