using Spectre.Console;

namespace Singer.Recommendation.Cli;

/// <summary>
/// Where a command writes: <see cref="Out"/> for human-readable output (markup, tables, progress), <see cref="Stdout"/>
/// for raw machine-readable output (<c>--json</c>), <see cref="Error"/> for one-line error messages and warnings, and
/// the Ctrl+C token. Tests pass string writers; the tool uses the process's streams.
/// </summary>
internal sealed class CliConsole : IDisposable
{
    private const int RedirectedWidth = 120;

    private readonly CancellationTokenSource _cancel = new();
    private readonly bool _ownsCancelKey;

    public CliConsole(IAnsiConsole output, TextWriter stdout, TextWriter error, bool handleCancelKey = false)
    {
        Out = output;
        Stdout = stdout;
        Error = error;
        if (handleCancelKey)
        {
            Console.CancelKeyPress += OnCancelKeyPress;
            _ownsCancelKey = true;
        }
    }

    /// <summary>Human-readable output (stdout).</summary>
    public IAnsiConsole Out { get; }

    /// <summary>Raw standard output for <c>--json</c>: nothing but the JSON document is written to it.</summary>
    public TextWriter Stdout { get; }

    /// <summary>Errors and warnings (stderr).</summary>
    public TextWriter Error { get; }

    /// <summary>Cancelled by the first Ctrl+C (training then stops after the current batch and keeps the best model).</summary>
    public CancellationToken Cancellation => _cancel.Token;

    /// <summary>Whether the human-readable console can redraw a live progress bar.</summary>
    public bool Interactive => Out.Profile.Capabilities.Interactive;

    /// <summary>A console on the process's stdout/stderr that turns the first Ctrl+C into a cancellation.</summary>
    public static CliConsole CreateSystem()
    {
        var output = AnsiConsole.Console;
        if (Console.IsOutputRedirected)
        {
            // Redirected output (a log file, CI) is read later: wrap at 120 columns rather than the default 80.
            output.Profile.Width = RedirectedWidth;
        }

        return new CliConsole(output, Console.Out, Console.Error, handleCancelKey: true);
    }

    /// <summary>A plain (no colour, no live display) console that writes to <paramref name="stdout"/>: for tests.</summary>
    public static CliConsole CreatePlain(TextWriter stdout, TextWriter error)
    {
        var output = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        output.Profile.Width = RedirectedWidth;
        return new CliConsole(output, stdout, error);
    }

    /// <summary>Cancels <see cref="Cancellation"/> (what Ctrl+C does).</summary>
    public void Cancel() => _cancel.Cancel();

    public void Dispose()
    {
        if (_ownsCancelKey)
        {
            Console.CancelKeyPress -= OnCancelKeyPress;
        }

        _cancel.Dispose();
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        // The first Ctrl+C stops training gracefully (the best model so far is kept and saved); a second one exits.
        e.Cancel = !_cancel.IsCancellationRequested;
        if (e.Cancel)
        {
            Error.WriteLine("Stopping after the current batch (press Ctrl+C again to quit at once)...");
        }

        _cancel.Cancel();
    }
}
