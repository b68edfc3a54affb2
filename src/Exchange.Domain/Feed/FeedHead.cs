using System.Collections.Concurrent;

namespace Exchange.Domain.Feed;

/// <summary>
/// Wakes this instance's subscribers when events they may want are stored: at once for events this
/// instance committed (the recipients are known), and for all of them when the periodic check of
/// the stored head (<see cref="Observe"/>) shows events another instance stored. No subscriber polls.
/// </summary>
public sealed class FeedHead
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waits = new(StringComparer.Ordinal);
    private TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _seen;
    private int _subscribers;

    /// <summary>The subscriptions open on this instance.</summary>
    public int Subscribers => Volatile.Read(ref _subscribers);

    /// <summary>
    /// Completes when events for <paramref name="recipient"/> may have been stored after this call.
    /// Take it before reading, so that nothing committed between the read and the wait is missed.
    /// </summary>
    public Task Next(string recipient) =>
        _waits.GetOrAdd(recipient, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>
    /// Events for <paramref name="recipients"/> committed on this instance, the stored head moving
    /// from <paramref name="before"/> to <paramref name="after"/>. The head this instance knows moves
    /// with it only when it knew <paramref name="before"/>: otherwise another instance stored events
    /// meanwhile, and the periodic check must still see the head move to wake their subscribers.
    /// </summary>
    public void Stored(IReadOnlyCollection<string> recipients, long before, long after)
    {
        if (Volatile.Read(ref _seen) >= before)
        {
            Raise(after);
        }

        if (recipients.Contains(FeedEntry.Broadcast))
        {
            WakeAll();
            return;
        }

        foreach (var recipient in recipients)
        {
            Wake(recipient);
        }
    }

    /// <summary>The stored head as a periodic check read it: wakes everyone when it moved past what this instance knew.</summary>
    public void Observe(long head)
    {
        if (Raise(head))
        {
            WakeAll();
        }
    }

    /// <summary>Completes once a subscription is open on this instance (at once when one is).</summary>
    public Task WhenSubscribedAsync()
    {
        var subscribed = Volatile.Read(ref _subscribed).Task;
        return Subscribers > 0 ? Task.CompletedTask : subscribed;
    }

    /// <summary>Counts a subscription until the returned handle is disposed.</summary>
    public IDisposable Subscribe()
    {
        if (Interlocked.Increment(ref _subscribers) == 1)
        {
            Interlocked.Exchange(ref _subscribed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }

        return new Subscription(this);
    }

    private bool Raise(long head)
    {
        var seen = Volatile.Read(ref _seen);
        while (head > seen)
        {
            var found = Interlocked.CompareExchange(ref _seen, head, seen);
            if (found == seen)
            {
                return true;
            }

            seen = found;
        }

        return false;
    }

    private void WakeAll()
    {
        foreach (var recipient in _waits.Keys)
        {
            Wake(recipient);
        }
    }

    private void Wake(string recipient)
    {
        if (_waits.TryRemove(recipient, out var wait))
        {
            wait.TrySetResult();
        }
    }

    private sealed class Subscription(FeedHead head) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref head._subscribers);
            }
        }
    }
}
