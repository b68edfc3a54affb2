using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Grpc.Core;
using Grpc.Net.Client;

namespace Exchange.Host.Tests.Services;

/// <summary>The certificate authority over real mTLS: signing requests, approval, renewal, revocation and the CRL.</summary>
public sealed class CertificatesServiceTests : HubScenario
{
    private const string Garage = "garage-kaminoyama";
    private const string NewGarage = "garage-zao";

    private GrpcChannel? _admin;

    private GrpcChannel Admin => _admin ??= Channel("admin");

    private static Certificates.CertificatesClient Ca(GrpcChannel channel) => new(channel);

    [Fact]
    public async Task Approved_signing_request_yields_a_client_certificate_that_calls_the_hub_as_the_party()
    {
        await Admin.AddPartyAsync(NewGarage);
        using var keys = new PartnerKeys(NewGarage);

        var filed = await Ca(Admin).SubmitSigningRequestAsync(new SubmitSigningRequestRequest { PartyId = NewGarage, CsrPem = keys.CsrPem }, cancellationToken: Ct);
        Assert.Equal((SigningRequestState.Pending, "ECDSA P-256", keys.PublicKeySha256, "admin"), (filed.State, filed.Key, filed.PublicKeySha256, filed.SubmittedBy));
        var issued = await Ca(Admin).ApproveSigningRequestAsync(new ApproveSigningRequestRequest { RequestId = filed.RequestId }, cancellationToken: Ct);

        using var certificate = keys.Certificate(issued.CertificatePem);
        Assert.Equal(["spiffe://exchange.local/party/garage-zao"], Exchange.Protocol.Identity.PartySpiffeId.ReadUriSubjectAltNames(certificate));
        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value);
        Assert.Equal(["1.3.6.1.5.5.7.3.2"], usages);
        Assert.False(certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Contains("O=\"Zao Motors Co., Ltd.\"", certificate.Subject, StringComparison.Ordinal);
        Assert.InRange(certificate.NotAfter.ToUniversalTime() - DateTime.UtcNow, TimeSpan.FromDays(89.9), TimeSpan.FromDays(90));
        Assert.Equal(certificate.SerialNumber, issued.Certificate.SerialNumber);
        Assert.Equal((CertificateState.Valid, CertificateOrigin.Approved, filed.RequestId), (issued.Certificate.State, issued.Certificate.Origin, issued.Certificate.RequestId));
        Assert.Equal(File.ReadAllText(Path.Combine(Hub.CertificateDirectory, "ca.crt")).Trim(), issued.CaPem.Trim());

        var channel = Channel(certificate);
        var reply = await channel.PingAsync();
        Assert.Equal("spiffe://exchange.local/party/garage-zao", reply.Caller);

        var requests = await Ca(Admin).ListSigningRequestsAsync(new ListSigningRequestsRequest { PartyId = NewGarage }, cancellationToken: Ct);
        Assert.Equal((SigningRequestState.Approved, certificate.SerialNumber), (requests.Requests.Single().State, requests.Requests.Single().CertificateSerial));
        var audit = await new HubAudit.HubAuditClient(Admin).ListEventsAsync(new ListAuditEventsRequest { ActionPrefix = "certificate." }, cancellationToken: Ct);
        Assert.Contains(audit.Events, e => e.Action == "certificate.requested" && e.Subject == filed.RequestId && e.Actor == "admin");
        Assert.Contains(audit.Events, e => e.Action == "certificate.issued" && e.Subject == certificate.SerialNumber && e.Details.Contains(NewGarage, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Extensions_requested_in_the_csr_are_ignored_and_the_hub_builds_the_profile_itself()
    {
        await Admin.AddPartyAsync(NewGarage);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={NewGarage}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri("spiffe://exchange.local/party/admin"));
        san.AddDnsName("hub.example");
        request.CertificateExtensions.Add(san.Build());

        var filed = await Ca(Admin).SubmitSigningRequestAsync(new SubmitSigningRequestRequest { PartyId = NewGarage, CsrPem = request.CreateSigningRequestPem() }, cancellationToken: Ct);
        var issued = await Ca(Admin).ApproveSigningRequestAsync(new ApproveSigningRequestRequest { RequestId = filed.RequestId, LifetimeDays = 7 }, cancellationToken: Ct);

        using var certificate = X509Certificate2.CreateFromPem(issued.CertificatePem);
        Assert.Equal(["spiffe://exchange.local/party/garage-zao"], Exchange.Protocol.Identity.PartySpiffeId.ReadUriSubjectAltNames(certificate));
        Assert.DoesNotContain("hub.example", certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
        Assert.False(certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal(["1.3.6.1.5.5.7.3.2"], certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));
        Assert.InRange(certificate.NotAfter.ToUniversalTime() - DateTime.UtcNow, TimeSpan.FromDays(6.9), TimeSpan.FromDays(7));
    }

    [Fact]
    public async Task Signing_request_whose_signature_does_not_verify_is_refused()
    {
        await Admin.AddPartyAsync(NewGarage);
        using var keys = new PartnerKeys(NewGarage);
        var der = PemEncoding.Find(keys.CsrPem) is var pem ? Convert.FromBase64String(keys.CsrPem[pem.Base64Data]) : [];
        der[^3] ^= 0x5A; // inside the signature
        var tampered = PemEncoding.WriteString("CERTIFICATE REQUEST", der);

        var error = await Refusals.FailsAsync(() => Ca(Admin).SubmitSigningRequestAsync(new SubmitSigningRequestRequest { PartyId = NewGarage, CsrPem = tampered }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("signature", error.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a csr", "not a valid PEM certificate signing request")]
    [InlineData("", "empty")]
    [InlineData("rsa-1024", "at least 2048")]
    [InlineData("other-cn", "CN=garage-kaminoyama")]
    public async Task Unacceptable_signing_request_is_refused_with_the_reason(string kind, string reason)
    {
        await Admin.AddPartyAsync(NewGarage);
        string csr;
        if (kind == "rsa-1024")
        {
            using var rsa = RSA.Create(1024);
            csr = new CertificateRequest($"CN={NewGarage}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequestPem();
        }
        else if (kind == "other-cn")
        {
            using var keys = new PartnerKeys(Garage);
            csr = keys.CsrPem;
        }
        else
        {
            csr = kind;
        }

        var error = await Refusals.FailsAsync(() => Ca(Admin).SubmitSigningRequestAsync(new SubmitSigningRequestRequest { PartyId = NewGarage, CsrPem = csr }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(reason, error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_is_certified_once_and_a_request_is_decided_once()
    {
        await Admin.AddPartyAsync(NewGarage);
        using var keys = new PartnerKeys(NewGarage);
        var filed = await Ca(Admin).SubmitSigningRequestAsync(new SubmitSigningRequestRequest { PartyId = NewGarage, CsrPem = keys.CsrPem }, cancellationToken: Ct);
        await Ca(Admin).ApproveSigningRequestAsync(new ApproveSigningRequestRequest { RequestId = filed.RequestId }, cancellationToken: Ct);

        var again = await Refusals.FailsAsync(() => Ca(Admin).ApproveSigningRequestAsync(new ApproveSigningRequestRequest { RequestId = filed.RequestId }, cancellationToken: Ct).ResponseAsync);
        var sameKey = await Refusals.FailsAsync(() => Ca(Admin).SubmitSigningRequestAsync(new SubmitSigningRequestRequest { PartyId = NewGarage, CsrPem = keys.CsrPem }, cancellationToken: Ct).ResponseAsync);
        var unknown = await Refusals.FailsAsync(() => Ca(Admin).ApproveSigningRequestAsync(new ApproveSigningRequestRequest { RequestId = "csr_nope" }, cancellationToken: Ct).ResponseAsync);
        var tooLong = await Refusals.FailsAsync(() => Ca(Admin).ApproveSigningRequestAsync(new ApproveSigningRequestRequest { RequestId = filed.RequestId, LifetimeDays = 91 }, cancellationToken: Ct).ResponseAsync);
        var overflowing = await Refusals.FailsAsync(() => Ca(Admin).ApproveSigningRequestAsync(new ApproveSigningRequestRequest { RequestId = filed.RequestId, LifetimeDays = int.MaxValue }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal((StatusCode.FailedPrecondition, "already approved"), (again.StatusCode, Tail(again.Status.Detail, "already approved")));
        Assert.Equal(StatusCode.InvalidArgument, sameKey.StatusCode);
        Assert.Contains("already certified", sameKey.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, tooLong.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, overflowing.StatusCode);
    }

    [Fact]
    public async Task Rejected_request_issues_nothing_and_says_why()
    {
        await Admin.AddPartyAsync(NewGarage);
        using var keys = new PartnerKeys(NewGarage);
        var filed = await Ca(Admin).SubmitSigningRequestAsync(new SubmitSigningRequestRequest { PartyId = NewGarage, CsrPem = keys.CsrPem }, cancellationToken: Ct);

        var noReason = await Refusals.FailsAsync(() => Ca(Admin).RejectSigningRequestAsync(new RejectSigningRequestRequest { RequestId = filed.RequestId }, cancellationToken: Ct).ResponseAsync);
        var rejected = await Ca(Admin).RejectSigningRequestAsync(new RejectSigningRequestRequest { RequestId = filed.RequestId, Reason = "fingerprint did not match over the phone" }, cancellationToken: Ct);
        var approve = await Refusals.FailsAsync(() => Ca(Admin).ApproveSigningRequestAsync(new ApproveSigningRequestRequest { RequestId = filed.RequestId }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, noReason.StatusCode);
        Assert.Equal((SigningRequestState.Rejected, "fingerprint did not match over the phone", "admin"), (rejected.State, rejected.DecisionNote, rejected.DecidedBy));
        Assert.Equal(StatusCode.FailedPrecondition, approve.StatusCode);
        var certificates = await Ca(Admin).ListCertificatesAsync(new ListCertificatesRequest { PartyId = NewGarage, IncludeInactive = true }, cancellationToken: Ct);
        Assert.Empty(certificates.Certificates);
    }

    [Fact]
    public async Task No_certificate_is_issued_to_an_unregistered_or_suspended_party()
    {
        await Admin.AddPartyAsync(NewGarage);
        using var keys = new PartnerKeys(NewGarage);
        var filed = await Ca(Admin).SubmitSigningRequestAsync(new SubmitSigningRequestRequest { PartyId = NewGarage, CsrPem = keys.CsrPem }, cancellationToken: Ct);
        await new Partners.PartnersClient(Admin).SuspendPartyAsync(new ChangePartyStateRequest { PartyId = NewGarage, Reason = "contract lapsed" }, cancellationToken: Ct);
        using var other = new PartnerKeys("garage-nobody");

        var suspended = await Refusals.FailsAsync(() => Ca(Admin).ApproveSigningRequestAsync(new ApproveSigningRequestRequest { RequestId = filed.RequestId }, cancellationToken: Ct).ResponseAsync);
        var unknown = await Refusals.FailsAsync(() => Ca(Admin).SubmitSigningRequestAsync(new SubmitSigningRequestRequest { PartyId = "garage-nobody", CsrPem = other.CsrPem }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, suspended.StatusCode);
        Assert.Contains("suspended", suspended.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task A_party_files_its_own_request_but_not_one_for_another_party()
    {
        var garage = Channel(Garage);
        using var own = new PartnerKeys(Garage);
        using var other = new PartnerKeys("group-lotus");

        var filed = await Ca(garage).SubmitSigningRequestAsync(new SubmitSigningRequestRequest { CsrPem = own.CsrPem }, cancellationToken: Ct);
        var error = await Refusals.FailsAsync(() => Ca(garage).SubmitSigningRequestAsync(new SubmitSigningRequestRequest { PartyId = "group-lotus", CsrPem = other.CsrPem }, cancellationToken: Ct).ResponseAsync);
        var approve = await Refusals.FailsAsync(() => Ca(garage).ApproveSigningRequestAsync(new ApproveSigningRequestRequest { RequestId = filed.RequestId }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal((Garage, Garage, SigningRequestState.Pending), (filed.PartyId, filed.SubmittedBy, filed.State));
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("certificate.own-only", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.PermissionDenied, approve.StatusCode);
        var mine = await Ca(garage).ListSigningRequestsAsync(new ListSigningRequestsRequest(), cancellationToken: Ct);
        Assert.Equal([filed.RequestId], mine.Requests.Select(r => r.RequestId));
    }

    [Fact]
    public async Task Renewal_issues_a_new_certificate_and_the_old_one_keeps_working_until_it_expires()
    {
        var old = Channel(Garage);
        var oldSerial = Certificate(Garage).SerialNumber;
        using var keys = new PartnerKeys(Garage);

        var renewed = await Ca(old).RenewCertificateAsync(new RenewCertificateRequest { CsrPem = keys.CsrPem }, cancellationToken: Ct);

        using var certificate = keys.Certificate(renewed.CertificatePem);
        Assert.NotEqual(oldSerial, certificate.SerialNumber);
        Assert.Equal((CertificateOrigin.Renewed, oldSerial, Garage), (renewed.Certificate.Origin, renewed.Certificate.RenewedFrom, renewed.Certificate.IssuedBy));
        var fresh = Channel(certificate);
        Assert.Equal(Garage, (await fresh.PingAsync()).PartyId);
        Assert.Equal(Garage, (await old.PingAsync()).PartyId);
        var reconnected = Channel(Garage);
        Assert.Equal(Garage, (await reconnected.PingAsync()).PartyId);
        var listed = await Ca(fresh).ListCertificatesAsync(new ListCertificatesRequest(), cancellationToken: Ct);
        Assert.Equal([certificate.SerialNumber, oldSerial], listed.Certificates.Select(c => c.SerialNumber));
        Assert.All(listed.Certificates, c => Assert.Equal(CertificateState.Valid, c.State));
    }

    [Fact]
    public async Task Renewal_needs_a_new_key()
    {
        var garage = Channel(Garage);
        var current = Certificate(Garage);
        using var key = current.GetECDsaPrivateKey()!;
        var sameKeyCsr = new CertificateRequest($"CN={Garage}", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();

        var error = await Refusals.FailsAsync(() => Ca(garage).RenewCertificateAsync(new RenewCertificateRequest { CsrPem = sameKeyCsr }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("new key pair", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoking_for_key_compromise_also_revokes_the_certificates_renewed_from_it()
    {
        var garage = Channel(Garage);
        var oldSerial = Certificate(Garage).SerialNumber;
        using var keys = new PartnerKeys(Garage);
        var renewed = await Ca(garage).RenewCertificateAsync(new RenewCertificateRequest { CsrPem = keys.CsrPem }, cancellationToken: Ct);
        using var certificate = keys.Certificate(renewed.CertificatePem);
        var fresh = Channel(certificate);
        await fresh.PingAsync();

        await Admin.RevokeAsync(oldSerial, CertificateRevocationReason.KeyCompromise);

        var error = await Refusals.FailsAsync(fresh.PingAsync);
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        var listed = await Ca(Admin).ListCertificatesAsync(new ListCertificatesRequest { PartyId = Garage, IncludeInactive = true }, cancellationToken: Ct);
        Assert.All(listed.Certificates, c => Assert.Equal((CertificateState.Revoked, CertificateRevocationReason.KeyCompromise), (c.State, c.RevocationReason)));
    }

    [Fact]
    public async Task Revocation_needs_a_reason_and_happens_once()
    {
        var serial = Certificate("group-lotus").SerialNumber;

        var noReason = await Refusals.FailsAsync(() => Ca(Admin).RevokeCertificateAsync(new RevokeCertificateRequest { SerialNumber = serial }, cancellationToken: Ct).ResponseAsync);
        var revoked = await Ca(Admin).RevokeCertificateAsync(new RevokeCertificateRequest { SerialNumber = serial.ToLowerInvariant(), Reason = CertificateRevocationReason.AffiliationChanged, Note = "left the group" }, cancellationToken: Ct);
        var twice = await Refusals.FailsAsync(() => Admin.RevokeAsync(serial));
        var unknown = await Refusals.FailsAsync(() => Admin.RevokeAsync("0A0B0C"));
        var notHex = await Refusals.FailsAsync(() => Admin.RevokeAsync("zz-top"));
        var forced = await Ca(Admin).RevokeCertificateAsync(new RevokeCertificateRequest { SerialNumber = "0a:0b:0c", Reason = CertificateRevocationReason.KeyCompromise, AllowUnknown = true }, cancellationToken: Ct);

        Assert.Equal(StatusCode.InvalidArgument, noReason.StatusCode);
        Assert.Equal((serial, CertificateState.Revoked, "left the group", "admin", "group-lotus"), (revoked.SerialNumber, revoked.State, revoked.RevocationNote, revoked.RevokedBy, revoked.PartyId));
        Assert.Equal(StatusCode.AlreadyExists, twice.StatusCode);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, notHex.StatusCode);
        Assert.Equal(("0A0B0C", CertificateState.Revoked, ""), (forced.SerialNumber, forced.State, forced.PartyId));
    }

    [Fact]
    public async Task A_party_may_revoke_its_own_certificate_but_not_another_partys()
    {
        var garage = Channel(Garage);
        var lotusSerial = Certificate("group-lotus").SerialNumber;
        using var keys = new PartnerKeys(Garage);
        var renewed = await Ca(garage).RenewCertificateAsync(new RenewCertificateRequest { CsrPem = keys.CsrPem }, cancellationToken: Ct);

        var other = await Refusals.FailsAsync(() => garage.RevokeAsync(lotusSerial));
        var own = await garage.RevokeAsync(renewed.Certificate.SerialNumber, CertificateRevocationReason.Superseded);

        Assert.Equal(StatusCode.PermissionDenied, other.StatusCode);
        Assert.Equal((CertificateState.Revoked, Garage), (own.State, own.RevokedBy));
    }

    [Fact]
    public async Task Crl_is_published_without_a_client_certificate_and_lists_revoked_serials_signed_by_the_ca()
    {
        var serial = Certificate("vendor-broadleaf").SerialNumber;
        await Admin.RevokeAsync(serial, CertificateRevocationReason.PrivilegeWithdrawn);
        using var http = new HttpClient(Exchange.Protocol.Client.MutualTlsChannel.CreateHandler(null, Hub.TrustAnchors));

        using var response = await http.GetAsync(new Uri(Hub.PublicAddress!, "crl"), Ct);
        var der = await response.Content.ReadAsByteArrayAsync(Ct);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pkix-crl", response.Content.Headers.ContentType?.MediaType);
        var crl = CrlReader.Read(der);
        using var ca = Hub.DevelopmentCa();
        Assert.True(crl.VerifySignature(ca.Certificate), "the CRL's signature does not verify with the hub's CA");
        Assert.Equal(ca.Certificate.SubjectName.RawData, crl.Issuer);
        Assert.Equal([(serial, 9)], crl.Entries);
        Assert.True(crl.NextUpdate > DateTimeOffset.UtcNow);
        var viaGrpc = await Ca(Admin).GetCrlAsync(new GetCrlRequest(), cancellationToken: Ct);
        Assert.Equal([(serial, 9)], CrlReader.Read(viaGrpc.CrlDer.ToByteArray()).Entries);
        Assert.StartsWith("-----BEGIN X509 CRL-----", viaGrpc.CrlPem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("garage-kaminoyama")]
    [InlineData("vendor-broadleaf")]
    [InlineData("group-lotus")]
    public async Task NonAdministrators_callingAdministrator_methods_get_permission_denied(string party)
    {
        var channel = Channel(party);
        using var keys = new PartnerKeys("garage-zao");

        Func<Task>[] calls =
        [
            () => new Partners.PartnersClient(channel).AddPartyAsync(new AddPartyRequest { PartyId = "garage-zao", Role = "member-garage", NameJa = "蔵王", NameEn = "Zao" }, cancellationToken: Ct).ResponseAsync,
            () => new Partners.PartnersClient(channel).ListPartiesAsync(new ListPartiesRequest(), cancellationToken: Ct).ResponseAsync,
            () => new Partners.PartnersClient(channel).SuspendPartyAsync(new ChangePartyStateRequest { PartyId = "garage-kaminoyama" }, cancellationToken: Ct).ResponseAsync,
            () => Ca(channel).ApproveSigningRequestAsync(new ApproveSigningRequestRequest { RequestId = "csr_x" }, cancellationToken: Ct).ResponseAsync,
            () => Ca(channel).RejectSigningRequestAsync(new RejectSigningRequestRequest { RequestId = "csr_x", Reason = "no" }, cancellationToken: Ct).ResponseAsync,
            () => new HubAudit.HubAuditClient(channel).ListEventsAsync(new ListAuditEventsRequest(), cancellationToken: Ct).ResponseAsync,
        ];

        foreach (var call in calls)
        {
            var error = await Refusals.FailsAsync(call);
            Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
            Assert.Contains("administrators only", error.Status.Detail, StringComparison.Ordinal);
            Assert.Equal("role.administrator-only", error.Trailers.GetValue("exchange-rule"));
        }
    }

    private static string Tail(string text, string expected) => text.Contains(expected, StringComparison.Ordinal) ? expected : text;
}
