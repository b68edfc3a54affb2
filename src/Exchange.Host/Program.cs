using Exchange.Host;
using Exchange.Host.Pki;

// --create-dev-pki: create the development PKI (Exchange:Pki:DevelopmentDirectory) if it is missing, and exit.
const string CreateDevelopmentPki = "--create-dev-pki";
await using var app = HubApplication.Create(args.Where(a => a != CreateDevelopmentPki).ToArray());
if (args.Contains(CreateDevelopmentPki))
{
    var certificates = app.Services.GetRequiredService<HubCertificates>();
    Console.WriteLine(certificates.DevelopmentDirectory is { } directory
        ? $"Development PKI in {directory}"
        : "Exchange:Pki:CaCertificate is configured: there is no development PKI to create.");
    return;
}

await app.RunAsync();
