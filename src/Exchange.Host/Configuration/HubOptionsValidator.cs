using Microsoft.Extensions.Options;

namespace Exchange.Host.Configuration;

/// <summary>
/// Refuses to start with settings that would leave the hub half-configured, or that only the
/// Development environment (<see cref="IHostEnvironment"/>) may use.
/// </summary>
internal sealed class HubOptionsValidator(IHostEnvironment environment) : IValidateOptions<HubOptions>
{
    public ValidateOptionsResult Validate(string? name, HubOptions options)
    {
        var failures = new List<string>();
        var development = environment.IsDevelopment();
        if (!development && options.DeclarationNoticeDays < 1)
        {
            failures.Add($"Exchange:DeclarationNoticeDays must be at least 1 outside the Development environment (it is {options.DeclarationNoticeDays.ToString(System.Globalization.CultureInfo.InvariantCulture)}; environment {environment.EnvironmentName}): persons must be able to read a declaration before it applies.");
        }

        if (!development && options.TreeLog.KeyFile is not { Length: > 0 })
        {
            failures.Add($"Exchange:TreeLog:KeyFile must name the provision log's note signer key outside the Development environment (environment {environment.EnvironmentName}): a key generated beside the database can be replaced with it. docs/transparency.md says how to make one.");
        }

        failures.AddRange(WitnessProblems(options.TreeLog));

        var feed = options.Feed;
        if (feed.RetentionDays is < 1 or > 3650)
        {
            failures.Add($"Exchange:Feed:RetentionDays must be 1 to 3650 (it is {feed.RetentionDays}): subscribers resume from events kept that long.");
        }

        if (feed.HeadCheckInterval < TimeSpan.FromMilliseconds(10) || feed.HeadCheckInterval > TimeSpan.FromMinutes(1))
        {
            failures.Add($"Exchange:Feed:HeadCheckInterval must be 00:00:00.010 to 00:01:00 (it is {feed.HeadCheckInterval}).");
        }

        if (feed.MaintenanceInterval < TimeSpan.FromMinutes(1) || feed.MaintenanceInterval > TimeSpan.FromDays(1))
        {
            failures.Add($"Exchange:Feed:MaintenanceInterval must be 00:01:00 to 1.00:00:00 (it is {feed.MaintenanceInterval}).");
        }

        var retention = options.Retention;
        // Development hubs (and the tests) may keep data for minutes; a production hub for a day at least,
        // and provision records for the year APPI's rules require at the least.
        var (least, leastLog) = development ? (TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)) : (TimeSpan.FromDays(1), TimeSpan.FromDays(365));
        if (retention.CustomerRecords < least || retention.CustomerRecords > TimeSpan.FromDays(7305))
        {
            failures.Add($"Exchange:Retention:CustomerRecords must be {least} to 7305.00:00:00 (it is {retention.CustomerRecords}).");
        }

        if (retention.WithdrawnGarageNotice < TimeSpan.Zero || retention.WithdrawnGarageNotice > TimeSpan.FromDays(366))
        {
            failures.Add($"Exchange:Retention:WithdrawnGarageNotice must be 00:00:00 to 366.00:00:00 (it is {retention.WithdrawnGarageNotice}).");
        }

        if (retention.ProvisionLogEntries < leastLog || retention.ProvisionLogEntries > TimeSpan.FromDays(7305))
        {
            failures.Add($"Exchange:Retention:ProvisionLogEntries must be {leastLog} to 7305.00:00:00 (it is {retention.ProvisionLogEntries}): provision records are kept at least as long as APPI's rules require.");
        }

        if (retention.SubjectRequests < least || retention.SubjectRequests > TimeSpan.FromDays(7305))
        {
            failures.Add($"Exchange:Retention:SubjectRequests must be {least} to 7305.00:00:00 (it is {retention.SubjectRequests}).");
        }

        if (retention.RunInterval < TimeSpan.FromMinutes(1) || retention.RunInterval > TimeSpan.FromDays(7))
        {
            failures.Add($"Exchange:Retention:RunInterval must be 00:01:00 to 7.00:00:00 (it is {retention.RunInterval}).");
        }

        if (options.Incidents.SensitiveItems.FirstOrDefault(i => !Exchange.Domain.Items.ItemCatalog.CustomerRecords.Items.Contains(i)) is { } unknownItem)
        {
            failures.Add($"Exchange:Incidents:SensitiveItems names '{unknownItem}', which is not a declared item ID.");
        }

        var subjects = options.Subjects;
        if (subjects.ReminderAfter < TimeSpan.FromMinutes(1) || subjects.ReminderAfter > TimeSpan.FromDays(365))
        {
            failures.Add($"Exchange:Subjects:ReminderAfter must be 00:01:00 to 365.00:00:00 (it is {subjects.ReminderAfter}).");
        }

        if (subjects.ReminderCheckInterval < TimeSpan.FromSeconds(1) || subjects.ReminderCheckInterval > TimeSpan.FromDays(1))
        {
            failures.Add($"Exchange:Subjects:ReminderCheckInterval must be 00:00:01 to 1.00:00:00 (it is {subjects.ReminderCheckInterval}).");
        }

        var declaration = options.Declaration;
        if (declaration.Manager.IsSet || !development)
        {
            if (!declaration.Manager.IsComplete)
            {
                failures.Add("Exchange:Declaration:Manager:NameJa, NameEn, AddressJa, AddressEn, RepresentativeJa and RepresentativeEn must all be set"
                    + (development ? "." : $" outside the Development environment (environment {environment.EnvironmentName}): the declaration names the body that runs the hub as the person responsible for management of the joint use."));
            }
        }

        if (declaration.Inquiry.IsSet || !development)
        {
            if (!declaration.Inquiry.IsComplete)
            {
                failures.Add("Exchange:Declaration:Inquiry needs NameJa and NameEn, and Phone, Email or AddressJa with AddressEn"
                    + (development ? "." : $" outside the Development environment (environment {environment.EnvironmentName}): the declaration shows where persons send inquiries."));
            }
        }

        foreach (var (key, ids) in new[] { ("GroupBodyPartyIds", declaration.GroupBodyPartyIds), ("VendorPartyIds", declaration.VendorPartyIds) })
        {
            if (ids?.Any(id => string.IsNullOrWhiteSpace(id) || !id.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.')) == true)
            {
                failures.Add($"Exchange:Declaration:{key} must be party IDs (lowercase letters, digits, '-', '_' or '.').");
            }
        }

        if (options.Listen is not { Scheme: "https" })
        {
            failures.Add("Exchange:Listen must be an https:// address (gRPC is served over mutual TLS only).");
        }
        else if (!System.Net.IPAddress.TryParse(options.Listen.Host.Trim('[', ']'), out _) && options.Listen.Host != "localhost")
        {
            failures.Add($"Exchange:Listen host '{options.Listen.Host}' must be an IP address or localhost.");
        }

        failures.AddRange(options.Storage.Problems());

        var calls = options.CallLimits;
        if (calls.MaxConcurrentCallsPerParty < 1 || calls.MaxConcurrentCallsPerParty > calls.MaxConcurrentCalls)
        {
            failures.Add($"Exchange:MaxConcurrentCallsPerParty must be between 1 and Exchange:MaxConcurrentCalls ({calls.MaxConcurrentCalls}).");
        }

        if (calls.ReservedCalls < 0 || calls.ReservedCalls >= calls.MaxConcurrentCalls)
        {
            failures.Add($"Exchange:AdministratorReservedCalls must be between 0 and Exchange:MaxConcurrentCalls - 1 ({calls.MaxConcurrentCalls - 1}): partners need at least one call.");
        }

        var pki = options.Pki;
        if (pki.IsConfigured)
        {
            foreach (var (key, path) in new[] { ("CaCertificate", pki.CaCertificate), ("ServerCertificate", pki.ServerCertificate), ("ServerKey", pki.ServerKey) })
            {
                if (string.IsNullOrWhiteSpace(path))
                {
                    failures.Add($"Exchange:Pki:{key} must be set when Exchange:Pki:CaCertificate is.");
                }
                else if (!File.Exists(path))
                {
                    failures.Add($"Exchange:Pki:{key} file '{path}' does not exist.");
                }
            }
        }
        else if (string.IsNullOrWhiteSpace(pki.DevelopmentDirectory))
        {
            failures.Add("Exchange:Pki:DevelopmentDirectory must be set when no CA is configured.");
        }

        // Data annotations do not reach into nested options: the PKI's ranges are checked here.
        if (pki.ClientCertificateLifetime < TimeSpan.FromHours(1) || pki.ClientCertificateLifetime > TimeSpan.FromDays(397))
        {
            failures.Add("Exchange:Pki:ClientCertificateLifetime must be between 01:00:00 and 397.00:00:00.");
        }

        if (pki.CrlLifetime < TimeSpan.FromMinutes(5) || pki.CrlLifetime > TimeSpan.FromDays(30))
        {
            failures.Add("Exchange:Pki:CrlLifetime must be between 00:05:00 and 30.00:00:00.");
        }

        if (!pki.IsConfigured && (pki.IssuingCaCertificate is not null || pki.IssuingCaKey is not null))
        {
            failures.Add("Exchange:Pki:IssuingCaCertificate and IssuingCaKey need Exchange:Pki:CaCertificate (the development PKI issues with its own CA).");
        }
        else if ((pki.IssuingCaCertificate is null) != (pki.IssuingCaKey is null))
        {
            failures.Add("Exchange:Pki:IssuingCaCertificate and Exchange:Pki:IssuingCaKey must be set together.");
        }
        else
        {
            foreach (var (key, path) in new[] { ("IssuingCaCertificate", pki.IssuingCaCertificate), ("IssuingCaKey", pki.IssuingCaKey) })
            {
                if (path is not null && !File.Exists(path))
                {
                    failures.Add($"Exchange:Pki:{key} file '{path}' does not exist.");
                }
            }
        }

        if (options.BootstrapAdministratorCertificate is { } bootstrap)
        {
            if (string.IsNullOrWhiteSpace(options.BootstrapAdministrator))
            {
                failures.Add("Exchange:BootstrapAdministratorCertificate needs Exchange:BootstrapAdministrator (the party it names).");
            }
            else if (!File.Exists(bootstrap))
            {
                failures.Add($"Exchange:BootstrapAdministratorCertificate file '{bootstrap}' does not exist.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static IEnumerable<string> WitnessProblems(TreeLogOptions treeLog)
    {
        var witnesses = treeLog.Witnesses;
        for (var i = 0; i < witnesses.Count; i++)
        {
            if (witnesses[i].Party is not { Length: > 0 } party || !party.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.'))
            {
                yield return $"Exchange:TreeLog:Witnesses:{i}:Party must be a party ID (lowercase letters, digits, '-', '_' or '.').";
            }

            if (!Exchange.Domain.Provisions.NoteKey.IsWitnessVerifierKey(witnesses[i].VerifierKey ?? ""))
            {
                yield return $"Exchange:TreeLog:Witnesses:{i}:VerifierKey must be a witness's cosignature/v1 verifier key (<name>+<key ID hex>+<base64 of 0x04 and the 32-byte Ed25519 key>), as 'exchange witness' prints it.";
            }
        }

        if (witnesses.Select(w => w.Party).Distinct(StringComparer.Ordinal).Count() != witnesses.Count)
        {
            yield return "Exchange:TreeLog:Witnesses names a party twice: one key per witness.";
        }

        if (witnesses.Count > 0 ? treeLog.Quorum < 1 || treeLog.Quorum > witnesses.Count : treeLog.Quorum != 0)
        {
            yield return $"Exchange:TreeLog:Quorum must be 1 to the number of witnesses ({witnesses.Count}) when witnesses are configured, 0 without them (it is {treeLog.Quorum}).";
        }
    }
}
