using Spectre.Console;
using Spectre.Console.Cli;
using Spectre.Console.Cli.Help;
using Spectre.Console.Rendering;

namespace Singer.Recommendation.Cli;

/// <summary>The standard help, followed by the exit codes (on every help page, so scripts' authors find them).</summary>
internal sealed class HelpWithExitCodes(ICommandAppSettings settings) : HelpProvider(settings)
{
    public override IEnumerable<IRenderable> GetFooter(ICommandModel model, ICommandInfo? command) =>
    [
        .. base.GetFooter(model, command),
        new Markup("[yellow]EXIT CODES:[/]\n"),
        new Markup(Markup.Escape(
            "    0    ok\n" +
            "    1    runtime failure (training diverged, no CUDA, a file not written)\n" +
            "    2    bad arguments or usage (option, value, configuration, user, --name)\n" +
            "    3    data or model file error (MMRec folder, model file, mismatch)\n" +
            "    130  training interrupted with Ctrl+C (best model so far saved)\n")),
    ];
}
