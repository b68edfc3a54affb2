using Exchange.Domain.Parties;
using Exchange.Protocol.Server;

namespace Exchange.Host.Calls;

/// <summary>
/// Administrators may run the calls the hub keeps in reserve. Answered from
/// <see cref="RegisteredParties"/> (a role never changes once registered), never from the database:
/// the start remembers every administrator registered then, and every admitted call its party. An
/// administrator registered at another instance since this one started is known here from its
/// first call admitted here.
/// </summary>
internal sealed class AdministratorCallers(RegisteredParties parties) : IReservedCallers
{
    public bool MayUseReserve(string partyId) => parties.Find(partyId)?.Role == PartyRole.Administrator;
}
