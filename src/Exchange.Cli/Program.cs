using Exchange.Cli;

return await new ExchangeCli(CliEnvironment.FromProcess()).RunAsync(args, CancellationToken.None);
