using System.Runtime.CompilerServices;
using Exchange.Contracts.V1;
using Exchange.Domain.Parties;
using Exchange.Domain.Policy;
using Exchange.Domain.Provisions;

namespace Exchange.Domain.Records;

/// <summary>
/// One permitted search call, streamed as it is read: up to its limit of matches, from the start or
/// from where a page token left off, page after page from the store, each page's
/// provision-log entries committed as one group before its records are released, the next page read
/// while that group commits, and the next group committing while the caller takes the records.
/// </summary>
/// <remarks>
/// No record is released before its entry is committed. A caller that stops early (cancels, or
/// its deadline passes) leaves entries for the records of at most two groups it did not take: the
/// group being released and the one committing behind it. They stay: an entry says the hub released
/// the record to the call, which it did, as it releases a single read's record that the network may
/// still lose, and a log that named fewer records than went out would be the worse error. The call
/// ends only once every entry it queued is committed, so what the log holds of a call is settled
/// when the call is.
/// </remarks>
/// <param name="caller">Who searches.</param>
/// <param name="customers">The store to read from.</param>
/// <param name="recorder">The provision log's group-commit writer.</param>
/// <param name="filter">What to find.</param>
/// <param name="start">Where the first page starts (null: at the first match).</param>
/// <param name="limit">At most this many matches, provided or not.</param>
/// <param name="optedOutOf">The purpose whose opt-outs leave persons out, or null.</param>
/// <param name="allowed">The items the decision allows.</param>
/// <param name="requested">The items asked for, as a refusal names them.</param>
/// <param name="template">The entry of one provision to the caller, its provider, subject and items still to fill in.</param>
/// <param name="tokenAfter">The token of the page that starts after a position.</param>
internal sealed class CustomerSearch(
    Party caller,
    ICustomerStore customers,
    IProvisionRecorder recorder,
    CustomerFilter filter,
    SearchPosition? start,
    int limit,
    string? optedOutOf,
    IReadOnlySet<string> allowed,
    IReadOnlyList<string> requested,
    ProvisionFact template,
    Func<SearchPosition, string> tokenAfter)
{
    // The first page is small so that the first record goes out soon; later pages grow to amortise
    // a statement and a commit over more records.
    private const int FirstPage = 32;
    private const int MaxPage = 256;

    // An owner's standing is decided once for each status the pages show it with, not per record.
    private readonly Dictionary<string, Owner> _owners = new(StringComparer.Ordinal);

    /// <summary>
    /// The records, each released once its entry is committed, the last of the search's final page
    /// with the token that reads the next one when more matches may follow.
    /// </summary>
    public async IAsyncEnumerable<SearchResult> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (remaining, size) = (limit, FirstPage);
        var after = start;
        var more = false;
        Group? releasing = null;
        Task latest = Task.CompletedTask;
        try
        {
            while (true)
            {
                Group? next = null;
                if (remaining > 0)
                {
                    var asked = Math.Min(size, remaining);
                    // The last page reads one match more than it counts, to tell whether another page follows.
                    var page = await customers.SearchPageAsync(filter, after, asked == remaining ? asked + 1 : asked, optedOutOf, cancellationToken).ConfigureAwait(false);
                    more = page.Count > asked;
                    IReadOnlyList<FoundCustomer> counted = more ? page.Take(asked).ToList() : page;
                    if (counted.Count > 0)
                    {
                        next = Start(counted);
                        latest = next.Committed;
                        after = counted[^1].After;
                    }

                    // The limit counts matches, whether or not they are provided.
                    remaining = counted.Count < asked ? 0 : remaining - counted.Count;
                    size = Math.Min(size * 2, MaxPage);
                }

                if (releasing is not null)
                {
                    await releasing.Committed.ConfigureAwait(false);
                    var token = next is null && more ? tokenAfter(after!) : null;
                    for (var i = 0; i < releasing.Records.Count; i++)
                    {
                        yield return new SearchResult(releasing.Records[i], i == releasing.Records.Count - 1 ? token : null);
                    }

                    if (releasing.Records.Count == 0 && token is not null)
                    {
                        yield return new SearchResult(null, token);
                    }
                }

                if (next is null)
                {
                    yield break;
                }

                releasing = next;
            }
        }
        finally
        {
            await SettledAsync(latest).ConfigureAwait(false);
        }
    }

    // The writer commits in queue order, so the latest group settled means every earlier one has.
    // Its failure is not this caller's to see once the stream has ended: the writer logs it, and
    // none of that group's records went out.
    private static async Task SettledAsync(Task commit)
    {
        try
        {
            await commit.ConfigureAwait(false);
        }
        catch (Exception) when (commit.IsFaulted)
        {
        }
    }

    // Decides each record of the page and queues the page's entries as one group.
    private Group Start(IReadOnlyList<FoundCustomer> page)
    {
        var facts = new List<ProvisionFact>(page.Count);
        var records = new List<ProvidedRecord>(page.Count);
        foreach (var found in page)
        {
            var owner = OwnerOf(found);
            if (owner.Refused is { } refused)
            {
                facts.Add(refused with { SubjectId = found.Customer.SubjectId });
                continue;
            }

            // A person who opted out of the purpose is left out without an entry: nothing was provided.
            if (found.OptedOut)
            {
                continue;
            }

            var provided = CustomerRecords.Provide(found.Customer, allowed);
            records.Add(provided);
            facts.Add(owner.Provided with { SubjectId = found.Customer.SubjectId, Items = provided.Items });
        }

        var committed = facts.Count > 0 ? recorder.RecordAsync(facts, CancellationToken.None) : Task.CompletedTask;
        return new Group(committed, records);
    }

    // Each page reads the owner's standing anew: a garage suspended mid-search is refused from the next page on.
    private Owner OwnerOf(FoundCustomer found)
    {
        if (!_owners.TryGetValue(found.OwnerParty, out var owner) || owner.Status != found.OwnerStatus)
        {
            var (recipient, agent) = CustomerRecords.RecipientOf(caller, found.OwnerParty, template.Purpose);
            var provided = template with { Provider = found.OwnerParty, Recipient = recipient, Agent = agent };
            var refused = PolicyEngine.OwnerRefusal(found.OwnerParty, found.OwnerStatus, template.Purpose) is { } refusal
                ? provided with { Items = requested, Outcome = ProvisionOutcome.Refused, Rule = refusal.Rule }
                : null;
            owner = new Owner(found.OwnerStatus, provided, refused);
            _owners[found.OwnerParty] = owner;
        }

        return owner;
    }

    private sealed record Group(Task Committed, List<ProvidedRecord> Records);

    private sealed record Owner(PartyStatus? Status, ProvisionFact Provided, ProvisionFact? Refused);
}
