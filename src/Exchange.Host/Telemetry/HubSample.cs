namespace Exchange.Host.Telemetry;

/// <summary>Figures read from the database now and then by <see cref="HubSampler"/>.</summary>
/// <param name="ChainLength">The provision log's head sequence.</param>
/// <param name="CheckpointSize">The size of the latest signed tree checkpoint (0: none).</param>
/// <param name="CheckpointSignedAt">When it was signed.</param>
/// <param name="CertificatesExpiring">Certificates in use expiring within each threshold's days.</param>
/// <param name="DeclaredPurposes">The purposes of every declaration stored: the purpose labels allowed.</param>
internal sealed record HubSample(long ChainLength, long CheckpointSize, DateTimeOffset? CheckpointSignedAt, IReadOnlyDictionary<int, int> CertificatesExpiring, IReadOnlySet<string> DeclaredPurposes);
