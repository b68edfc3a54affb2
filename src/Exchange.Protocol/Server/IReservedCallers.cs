namespace Exchange.Protocol.Server;

/// <summary>
/// Names the parties that may use the calls <see cref="CallConcurrencyLimit"/> keeps in reserve.
/// The transport knows parties only by ID; the host, which knows their roles, answers. Asked on
/// every call that would otherwise be refused for load, so it must answer from memory.
/// </summary>
public interface IReservedCallers
{
    /// <summary>True when <paramref name="partyId"/> may run calls in the reserve.</summary>
    bool MayUseReserve(string partyId);
}
