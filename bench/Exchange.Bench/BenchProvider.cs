namespace Exchange.Bench;

/// <summary>The database the bench's hub stores in.</summary>
internal enum BenchProvider
{
    Sqlite,
    Postgres,
}
