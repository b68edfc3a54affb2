using Exchange.Domain.Records;

namespace Exchange.Storage.Stores;

// Until the change feed stores events for them, record changes have no consequence beyond the write.
internal sealed class UnfollowedRecordChanges : IRecordChanges
{
    public Task RecordAsync(IReadOnlyList<RecordChange> changes, CancellationToken cancellationToken) => Task.CompletedTask;
}
