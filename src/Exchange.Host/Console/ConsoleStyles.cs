namespace Exchange.Host.Console;

/// <summary>The console's one stylesheet, served from <c>/console/console.css</c> (the CSP allows no inline style).</summary>
internal static class ConsoleStyles
{
    public const string Css = """
        body { font-family: "Noto Sans CJK JP", "Noto Sans JP", sans-serif; margin: 0; color: #1d2733; background: #f6f7f9; }
        header { background: #1f3a5f; color: #fff; padding: .6rem 1.2rem; display: flex; gap: 1.2rem; align-items: center; flex-wrap: wrap; }
        header a { color: #fff; text-decoration: none; }
        header form { margin-left: auto; }
        main { padding: 1rem 1.5rem; max-width: 72rem; }
        .en { color: #5a6675; font-size: .85em; }
        table { border-collapse: collapse; width: 100%; background: #fff; }
        th, td { border: 1px solid #d5dae1; padding: .35rem .5rem; text-align: left; vertical-align: top; font-size: .9rem; }
        th { background: #eef1f5; }
        code { font-size: .85em; word-break: break-all; }
        form.inline { display: inline; }
        fieldset { background: #fff; border: 1px solid #d5dae1; margin: 1rem 0; }
        label { display: block; margin: .4rem 0; }
        textarea { width: 100%; min-height: 18rem; font-family: monospace; }
        .error { color: #a11; font-weight: bold; }
        .done { color: #175; font-weight: bold; }
        .warn { background: #fff4d6; }
        """;
}
