namespace Singer.Recommendation.Cli.Tests;

/// <summary>The outcome of one in-process run of the tool.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr);

/// <summary>Runs <c>singer</c> in-process with captured stdout and stderr.</summary>
internal static class CliRunner
{
    public static CliResult Run(params string[] args) => Run(null, args);

    /// <summary>Runs with a hook that may act on the console first (for example cancel it).</summary>
    public static CliResult Run(Action<CliConsole>? before, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        using var console = CliConsole.CreatePlain(stdout, stderr);
        before?.Invoke(console);
        int code = CliApp.Run(args, console);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }
}
