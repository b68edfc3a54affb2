using Exchange.Contracts.V1;
using Exchange.Domain.Certificates;
using Exchange.Host.Calls;
using Exchange.Protocol.Pki;
using Exchange.Protocol.Server;
using Grpc.Core;

namespace Exchange.Host.Services;

/// <summary>gRPC face of <see cref="CertificateRegistry"/>.</summary>
internal sealed class CertificatesService(CertificateRegistry registry, CallContextFactory calls, TimeProvider time, ILogger<CertificatesService> logger) : Certificates.CertificatesBase
{
    public override async Task<SigningRequestInfo> SubmitSigningRequest(SubmitSigningRequestRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var filed = await registry.SubmitAsync(call, request.PartyId, request.CsrPem, context.CancellationToken).ConfigureAwait(false);
        PkiLog.SigningRequestFiled(logger, call.Caller.Id, filed.Id, filed.PartyId, filed.KeyDescription, filed.PublicKeySha256);
        return filed.ToMessage();
    }

    public override async Task<ListSigningRequestsResponse> ListSigningRequests(ListSigningRequestsRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var found = await registry.ListRequestsAsync(call, request.PartyId, AdminMessages.ToStatus(request.State), context.CancellationToken).ConfigureAwait(false);
        var response = new ListSigningRequestsResponse();
        response.Requests.AddRange(found.Select(r => r.ToMessage()));
        return response;
    }

    public override async Task<IssuedCertificate> ApproveSigningRequest(ApproveSigningRequestRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var issued = await registry.ApproveAsync(call, request.RequestId, request.LifetimeDays, context.CancellationToken).ConfigureAwait(false);
        var record = issued.Record;
        PkiLog.CertificateIssued(logger, call.Caller.Id, request.RequestId, record.SerialNumber, record.PartyId, record.NotAfter);
        return issued.ToMessage(time.GetUtcNow());
    }

    public override async Task<SigningRequestInfo> RejectSigningRequest(RejectSigningRequestRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var rejected = await registry.RejectAsync(call, request.RequestId, request.Reason, context.CancellationToken).ConfigureAwait(false);
        PkiLog.SigningRequestRejected(logger, call.Caller.Id, rejected.Id, rejected.PartyId);
        return rejected.ToMessage();
    }

    public override async Task<ListCertificatesResponse> ListCertificates(ListCertificatesRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var found = await registry.ListCertificatesAsync(call, request.PartyId, request.IncludeInactive, context.CancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var response = new ListCertificatesResponse();
        response.Certificates.AddRange(found.Select(c => c.ToMessage(now)));
        return response;
    }

    public override async Task<CertificateInfo> RevokeCertificate(RevokeCertificateRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var revoked = await registry.RevokeAsync(call, request.SerialNumber, AdminMessages.ToReason(request.Reason), request.Note, request.AllowUnknown, context.CancellationToken).ConfigureAwait(false);
        var revocation = revoked.Revocation;
        PkiLog.CertificateRevoked(logger, call.Caller.Id, revocation.SerialNumber, revocation.PartyId ?? "(unknown)", revocation.Reason.ToWire());
        return revoked.ToMessage(time.GetUtcNow());
    }

    public override async Task<IssuedCertificate> RenewCertificate(RenewCertificateRequest request, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var caller = context.GetCaller();
        var presented = new PresentedCertificate(caller.SerialNumber, SigningRequest.PublicKeyFingerprint(caller.Certificate.PublicKey));
        var renewed = await registry.RenewAsync(call, presented, request.CsrPem, context.CancellationToken).ConfigureAwait(false);
        PkiLog.CertificateRenewed(logger, call.Caller.Id, presented.SerialNumber, renewed.Record.SerialNumber, renewed.Record.NotAfter);
        return renewed.ToMessage(time.GetUtcNow());
    }

    public override async Task<GetCrlResponse> GetCrl(GetCrlRequest request, ServerCallContext context) =>
        (await registry.CrlAsync(context.CancellationToken).ConfigureAwait(false)).ToMessage();
}
