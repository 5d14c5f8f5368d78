// The singer command-line tool (docs/cli.md): train, evaluate, recommend and graph on MMRec data folders.
using Singer.Recommendation.Cli;

using var console = CliConsole.CreateSystem();
return CliApp.Run(args, console);
