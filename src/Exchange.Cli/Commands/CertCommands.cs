using System.CommandLine;
using Exchange.Contracts.V1;
using Exchange.Protocol.Identity;
using Google.Protobuf;

namespace Exchange.Cli.Commands;

/// <summary><c>exchange cert request|approve|reject|requests|list|revoke|renew|crl</c>.</summary>
internal static class CertCommands
{
    private static readonly Dictionary<string, CertificateRevocationReason> Reasons = new(StringComparer.Ordinal)
    {
        ["key-compromise"] = CertificateRevocationReason.KeyCompromise,
        ["affiliation-changed"] = CertificateRevocationReason.AffiliationChanged,
        ["superseded"] = CertificateRevocationReason.Superseded,
        ["cessation-of-operation"] = CertificateRevocationReason.CessationOfOperation,
        ["privilege-withdrawn"] = CertificateRevocationReason.PrivilegeWithdrawn,
    };

    public static Command Create(ExchangeCli cli) => new("cert", "Certificates: signing requests, approval, renewal, revocation and the CRL")
    {
        Request(cli),
        Approve(cli),
        Reject(cli),
        Requests(cli),
        List(cli),
        Revoke(cli),
        Renew(cli),
        Crl(cli),
    };

    private static Option<bool> Force() => new("--force") { Description = "Replace files that exist already" };

    private static Option<string> KeyType()
    {
        var option = new Option<string>("--key-type") { Description = "The new key pair's algorithm", DefaultValueFactory = _ => KeyFiles.KeyTypes[0] };
        option.AcceptOnlyFromAmong(KeyFiles.KeyTypes);
        return option;
    }

    private static Command Request(ExchangeCli cli)
    {
        var party = new Option<string>("--party") { Description = "The party the certificate is for (your party ID)", Required = true };
        var keyOut = new Option<string>("--key-out") { Description = "Where to write the new private key (mode 0600) [default: <party>.key]", HelpName = "file" };
        var csrOut = new Option<string>("--csr-out") { Description = "Where to write the signing request [default: <party>.csr]", HelpName = "file" };
        var keyType = KeyType();
        var submit = new Option<bool>("--submit") { Description = "Also file the request at the hub with your current certificate (an administrator's, or your party's own)" };
        var force = Force();
        var command = new Command("request", "Create a key pair and a certificate signing request on this machine; the private key never leaves it") { party, keyOut, csrOut, keyType, submit, force };
        cli.OnHubIf(command, result => result.GetValue(submit), async context =>
        {
            var partyId = context.Value(party)!;
            RequireValidPartyId(partyId);
            var keyPath = context.Environment.Resolve(context.Value(keyOut) ?? partyId + ".key");
            var csrPath = context.Environment.Resolve(context.Value(csrOut) ?? partyId + ".csr");
            var overwrite = context.Value(force);
            if (!overwrite && (File.Exists(keyPath) || File.Exists(csrPath)))
            {
                throw new CliException(ExitCodes.Conflict, $"{(File.Exists(keyPath) ? keyPath : csrPath)} exists already; use --force to replace it (a new key needs a new certificate)");
            }

            var (key, keyPem, csrPem, fingerprint) = KeyFiles.NewRequest(context.Value(keyType)!, partyId);
            using (key)
            {
                KeyFiles.Write(keyPath, keyPem, secret: true, overwrite);
                KeyFiles.Write(csrPath, csrPem, secret: false, overwrite);
            }

            var requestId = "";
            if (context.HubOrNull is { } hub)
            {
                var filed = await new Certificates.CertificatesClient(hub.Channel).SubmitSigningRequestAsync(new SubmitSigningRequestRequest { PartyId = partyId, CsrPem = csrPem }, context.Call).ConfigureAwait(false);
                requestId = filed.RequestId;
            }

            (string, string)[] fields = [("party", partyId), ("key", context.Value(keyType)!), ("private key", keyPath), ("signing request", csrPath), ("public key sha256", fingerprint)];
            context.Output.Fields(requestId.Length > 0 ? [.. fields, ("request id", requestId)] : fields);
            context.Output.Hint(requestId.Length > 0
                ? $"Filed as {requestId}. Keep {Path.GetFileName(keyPath)} secret; read the public key sha256 above to your hub administrator, who approves the request."
                : $"Keep {Path.GetFileName(keyPath)} secret: it never leaves this machine. Send {Path.GetFileName(csrPath)} to your hub administrator and read them the public key sha256 above.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Approve(ExchangeCli cli)
    {
        var requestId = new Argument<string>("request-id") { Description = "A pending request (see 'exchange cert requests'); or use --csr", Arity = ArgumentArity.ZeroOrOne };
        var csr = new Option<string>("--csr") { Description = "File and approve this signing request in one step (needs --party)", HelpName = "file" };
        var party = new Option<string>("--party") { Description = "The party a --csr is for" };
        var expect = new Option<string>("--expect-key-sha256") { Description = "Approve only if the request's public key has this SHA-256 (what 'exchange cert request' printed at the partner)", HelpName = "hex" };
        var lifetime = new Option<int>("--lifetime-days") { Description = "Validity in days (default: the hub's lifetime, which this may shorten)" };
        var output = new Option<string>("--out") { Description = "Where to write the certificate chain [default: <party>.crt]", HelpName = "file" };
        var caOut = new Option<string>("--ca-out") { Description = "Also write the CA certificate(s) the partner must trust", HelpName = "file" };
        var force = Force();
        var command = new Command("approve", "Issue the certificate a signing request asks for (administrators)") { requestId, csr, party, expect, lifetime, output, caOut, force };
        cli.OnHub(command, async context =>
        {
            var ca = new Certificates.CertificatesClient(context.Hub.Channel);
            var id = context.Value(requestId);
            var csrPath = context.Value(csr);
            if ((id is null) == (csrPath is null) || (csrPath is not null && context.Value(party) is null))
            {
                throw new CliException(ExitCodes.Usage, "name a pending request ID, or give --csr <file> with --party <party-id>");
            }

            SigningRequestInfo filed;
            if (csrPath is not null)
            {
                var pem = await File.ReadAllTextAsync(context.Environment.Resolve(csrPath), context.CancellationToken).ConfigureAwait(false);
                filed = await ca.SubmitSigningRequestAsync(new SubmitSigningRequestRequest { PartyId = context.Value(party), CsrPem = pem }, context.Call).ConfigureAwait(false);
                context.Output.Hint($"Filed {filed.RequestId} for {filed.PartyId}.");
            }
            else
            {
                var pending = await ca.ListSigningRequestsAsync(new ListSigningRequestsRequest(), context.Call).ConfigureAwait(false);
                filed = pending.Requests.FirstOrDefault(r => r.RequestId == id)
                    ?? throw new CliException(ExitCodes.NotFound, $"there is no signing request '{id}' (see 'exchange cert requests --state all')");
            }

            if (context.Value(expect) is { } expected && !string.Equals(expected.Replace(":", "", StringComparison.Ordinal), filed.PublicKeySha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new CliException(ExitCodes.Conflict, $"request {filed.RequestId} carries public key sha256 {filed.PublicKeySha256}, not {expected}: not approved");
            }

            var outPath = context.Environment.Resolve(context.Value(output) ?? filed.PartyId + ".crt");
            if (!context.Value(force) && File.Exists(outPath))
            {
                throw new CliException(ExitCodes.Conflict, $"{outPath} exists already; use --force to replace it, or --out");
            }

            var issued = await ca.ApproveSigningRequestAsync(new ApproveSigningRequestRequest { RequestId = filed.RequestId, LifetimeDays = context.Value(lifetime) }, context.Call).ConfigureAwait(false);
            KeyFiles.Write(outPath, issued.CertificatePem, secret: false, overwrite: true);
            if (context.Value(caOut) is { } caPath)
            {
                KeyFiles.Write(context.Environment.Resolve(caPath), issued.CaPem, secret: false, overwrite: context.Value(force));
            }

            context.Output.Record(issued, [.. Fields(issued.Certificate), ("written to", outPath)]);
            context.Output.Hint($"Hand {Path.GetFileName(outPath)} (and the hub's CA certificate) to {issued.Certificate.PartyId}; its key stays with it.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Reject(ExchangeCli cli)
    {
        var requestId = new Argument<string>("request-id") { Description = "The pending request" };
        var reason = new Option<string>("--reason") { Description = "Why, for the requester and the audit log", Required = true };
        var command = new Command("reject", "Decline a pending signing request (administrators)") { requestId, reason };
        cli.OnHub(command, async context =>
        {
            var rejected = await new Certificates.CertificatesClient(context.Hub.Channel).RejectSigningRequestAsync(new RejectSigningRequestRequest { RequestId = context.Value(requestId), Reason = context.Value(reason) }, context.Call).ConfigureAwait(false);
            context.Output.Record(rejected, RequestFields(rejected));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Requests(ExchangeCli cli)
    {
        var party = new Option<string>("--party") { Description = "Only this party's requests" };
        var state = new Option<string>("--state") { Description = "Which requests", DefaultValueFactory = _ => "pending" };
        state.AcceptOnlyFromAmong("pending", "approved", "rejected", "all");
        var command = new Command("requests", "List signing requests (administrators see all, a party its own)") { party, state };
        cli.OnHub(command, async context =>
        {
            var filter = context.Value(state) switch
            {
                "approved" => SigningRequestState.Approved,
                "rejected" => SigningRequestState.Rejected,
                "all" => SigningRequestState.Unspecified,
                _ => SigningRequestState.Pending,
            };
            var reply = await new Certificates.CertificatesClient(context.Hub.Channel).ListSigningRequestsAsync(new ListSigningRequestsRequest { PartyId = context.Value(party) ?? "", State = filter }, context.Call).ConfigureAwait(false);
            context.Output.List(reply, reply.Requests, ("REQUEST", r => r.RequestId), ("PARTY", r => r.PartyId), ("STATE", r => CliOutput.Name(r.State)), ("KEY", r => r.Key), ("SUBMITTED", r => CliOutput.Time(r.SubmittedAt)), ("BY", r => r.SubmittedBy), ("PUBLIC KEY SHA256", r => r.PublicKeySha256));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(ExchangeCli cli)
    {
        var party = new Option<string>("--party") { Description = "Only this party's certificates" };
        var all = new Option<bool>("--all") { Description = "Also list expired and revoked certificates" };
        var command = new Command("list", "List certificates (administrators see all, a party its own)") { party, all };
        cli.OnHub(command, async context =>
        {
            var reply = await new Certificates.CertificatesClient(context.Hub.Channel).ListCertificatesAsync(new ListCertificatesRequest { PartyId = context.Value(party) ?? "", IncludeInactive = context.Value(all) }, context.Call).ConfigureAwait(false);
            context.Output.List(reply, reply.Certificates, ("SERIAL", c => c.SerialNumber), ("PARTY", c => c.PartyId), ("STATE", c => CliOutput.Name(c.State)), ("NOT AFTER", c => CliOutput.Time(c.NotAfter)), ("ORIGIN", c => CliOutput.Name(c.Origin)), ("REVOKED", c => c.RevokedAt is null ? "" : $"{CliOutput.Time(c.RevokedAt)} ({CliOutput.Name(c.RevocationReason)})"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Revoke(ExchangeCli cli)
    {
        var serial = new Argument<string>("serial") { Description = "The certificate's serial number (hex, as 'exchange cert list' or 'openssl x509 -serial' show it)" };
        var reason = new Option<string>("--reason") { Description = "Why", Required = true };
        reason.AcceptOnlyFromAmong([.. Reasons.Keys]);
        var note = new Option<string>("--note") { Description = "Free text for the audit log" };
        var allowUnknown = new Option<bool>("--allow-unknown") { Description = "Revoke a serial the hub has no record of (issued offline by the same CA)" };
        var command = new Command("revoke", "Revoke a certificate: refused from the next call and handshake (administrators; a party its own)") { serial, reason, note, allowUnknown };
        cli.OnHub(command, async context =>
        {
            var request = new RevokeCertificateRequest { SerialNumber = context.Value(serial), Reason = Reasons[context.Value(reason)!], Note = context.Value(note) ?? "", AllowUnknown = context.Value(allowUnknown) };
            var revoked = await new Certificates.CertificatesClient(context.Hub.Channel).RevokeCertificateAsync(request, context.Call).ConfigureAwait(false);
            context.Output.Record(revoked, Fields(revoked));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Renew(ExchangeCli cli)
    {
        var certOut = new Option<string>("--cert-out") { Description = "Where to write the new certificate [default: the --cert file]", HelpName = "file" };
        var keyOut = new Option<string>("--key-out") { Description = "Where to write the new private key [default: the --key file]", HelpName = "file" };
        var keyType = KeyType();
        var command = new Command("renew", "Renew your own certificate for a new key, with the still-valid one; both stay valid until the old one expires") { certOut, keyOut, keyType };
        cli.OnHub(command, async context =>
        {
            var hub = context.Hub;
            var previous = hub.Certificate;
            var (key, keyPem, csrPem, _) = KeyFiles.NewRequest(context.Value(keyType)!, hub.PartyId);
            key.Dispose();
            var renewed = await new Certificates.CertificatesClient(hub.Channel).RenewCertificateAsync(new RenewCertificateRequest { CsrPem = csrPem }, context.Call).ConfigureAwait(false);
            var certPath = context.Environment.Resolve(context.Value(certOut) ?? hub.CertificatePath);
            var keyPath = context.Environment.Resolve(context.Value(keyOut) ?? hub.KeyPath);
            KeyFiles.ReplaceTogether([(certPath, renewed.CertificatePem, false), (keyPath, keyPem, true)]);
            context.Output.Record(renewed, [.. Fields(renewed.Certificate), ("certificate", certPath), ("private key", keyPath)]);
            context.Output.Hint($"The previous certificate {previous.SerialNumber} stays valid until {previous.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z; once every system uses the new one, revoke it: exchange cert revoke {previous.SerialNumber} --reason superseded");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Crl(ExchangeCli cli)
    {
        var output = new Option<string>("--out") { Description = "Write the CRL (PEM) to this file instead of standard output", HelpName = "file" };
        var der = new Option<bool>("--der") { Description = "Write DER instead of PEM (needs --out)" };
        var command = new Command("crl", "Fetch the hub's current certificate revocation list") { output, der };
        cli.OnHub(command, async context =>
        {
            var crl = await new Certificates.CertificatesClient(context.Hub.Channel).GetCrlAsync(new GetCrlRequest(), context.Call).ConfigureAwait(false);
            if (context.Value(output) is not { } path)
            {
                if (context.Value(der))
                {
                    throw new CliException(ExitCodes.Usage, "--der needs --out: DER is binary");
                }

                context.Environment.Out.Write(crl.CrlPem);
                return ExitCodes.Success;
            }

            var target = context.Environment.Resolve(path);
            if (context.Value(der))
            {
                await File.WriteAllBytesAsync(target, crl.CrlDer.ToByteArray(), context.CancellationToken).ConfigureAwait(false);
            }
            else
            {
                await File.WriteAllTextAsync(target, crl.CrlPem, context.CancellationToken).ConfigureAwait(false);
            }

            context.Output.Record(Without(crl), ("entries", crl.Entries.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("this update", CliOutput.Time(crl.ThisUpdate)), ("next update", CliOutput.Time(crl.NextUpdate)), ("written to", target));
            return ExitCodes.Success;
        });
        return command;
    }

    private static GetCrlResponse Without(GetCrlResponse crl)
    {
        var summary = crl.Clone();
        summary.CrlDer = ByteString.Empty;
        summary.CrlPem = "";
        return summary;
    }

    private static (string, string)[] Fields(CertificateInfo certificate) =>
    [
        ("serial", certificate.SerialNumber),
        ("party", certificate.PartyId),
        ("state", CliOutput.Name(certificate.State)),
        ("not before", CliOutput.Time(certificate.NotBefore)),
        ("not after", CliOutput.Time(certificate.NotAfter)),
        ("sha256 fingerprint", certificate.Sha256Fingerprint),
        ("public key sha256", certificate.PublicKeySha256),
        .. certificate.RevokedAt is null ? Array.Empty<(string, string)>() : [("revoked", $"{CliOutput.Time(certificate.RevokedAt)} by {certificate.RevokedBy} ({CliOutput.Name(certificate.RevocationReason)})")],
    ];

    private static (string, string)[] RequestFields(SigningRequestInfo request) =>
    [
        ("request", request.RequestId),
        ("party", request.PartyId),
        ("state", CliOutput.Name(request.State)),
        ("key", request.Key),
        ("public key sha256", request.PublicKeySha256),
        ("decided by", request.DecidedBy),
        ("note", request.DecisionNote),
    ];

    private static void RequireValidPartyId(string partyId)
    {
        try
        {
            PartySpiffeId.Create("exchange.local", partyId);
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCodes.Usage, e.Message.Split(" (Parameter", StringSplitOptions.None)[0]);
        }
    }
}
