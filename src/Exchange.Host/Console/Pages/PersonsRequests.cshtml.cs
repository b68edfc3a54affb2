using Exchange.Contracts.V1;
using Exchange.Domain.Subjects;

namespace Exchange.Host.Console.Pages;

/// <summary>Persons' requests the person's party may read (operators: all; a garage: those about its records), newest first.</summary>
internal sealed class PersonsRequestsModel(ConsoleCalls calls, SubjectRequests requests) : ConsolePageModel(calls)
{
    public IReadOnlyList<SubjectRequest> Requests { get; private set; } = [];

    public async Task OnGetAsync() =>
        Requests = (await requests.ListAsync(await CallAsync().ConfigureAwait(false), new ListRequestsRequest(), HttpContext.RequestAborted).ConfigureAwait(false)).Requests;
}
