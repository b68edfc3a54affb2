using Exchange.Contracts.V1;

namespace Exchange.Domain.Records;

/// <summary>The writes a person's request makes at one garage, and the call they are made as.</summary>
/// <param name="Call">The owning garage's (or its vendor's) call.</param>
/// <param name="Upserts">Records to store as corrected.</param>
/// <param name="Deletions">Records to delete.</param>
internal sealed record RequestWrite(CallContext Call, IReadOnlyList<CustomerRecord> Upserts, IReadOnlyList<CustomerKey> Deletions);
