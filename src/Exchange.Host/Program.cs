using Exchange.Host;

await using var app = HubApplication.Create(args);
await app.RunAsync();
