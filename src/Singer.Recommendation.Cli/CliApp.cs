using System.Globalization;
using System.Reflection;
using Singer.Recommendation.Cli.Commands;
using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;
using Spectre.Console.Cli;

namespace Singer.Recommendation.Cli;

/// <summary>Builds the command tree and turns every failure into one line on stderr and an exit code (<see cref="ExitCodes"/>).</summary>
internal static class CliApp
{
    /// <summary>Runs the command line <paramref name="args"/> and returns the process exit code.</summary>
    public static int Run(string[] args, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(console);
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("singer");
            config.SetApplicationVersion(Version);
            config.SetApplicationCulture(CultureInfo.InvariantCulture);
            config.ConfigureConsole(console.Out);
            config.PropagateExceptions();
            config.UseStrictParsing();
            config.SetHelpProvider(new HelpWithExitCodes(config.Settings));
            config.Settings.Registrar.RegisterInstance(console);
            config.AddExample("train", "--data", "data/ml100k", "--out", "ml100k.singer", "--plot", "curve.png");
            config.AddExample("evaluate", "--model", "ml100k.singer", "--data", "data/ml100k");
            config.AddExample("recommend", "--model", "ml100k.singer", "--user", "42", "-k", "10");
            config.AddExample("graph", "--data", "data/ml100k", "--json");

            config.AddCommand<TrainCommand>("train")
                .WithDescription("Train SINGER (or LightGCN) on an MMRec folder with early stopping on validation Recall@20; print the test metrics and save the model. ")
                .WithExample("train", "--data", "data/ml100k", "--out", "ml100k.singer")
                .WithExample("train", "--data", "data/ml100k", "--model", "lightgcn", "--epochs", "300", "--out", "lightgcn.singer", "--json")
                .WithExample("train", "--data", "data/ml100k", "--checkpoint", "run.ckpt", "--checkpoint-every", "5", "--out", "ml100k.singer", "--plot", "curve.png");
            config.AddCommand<EvaluateCommand>("evaluate")
                .WithDescription("Evaluate a saved model on the test (or validation) split of an MMRec folder: full ranking, training items masked. ")
                .WithExample("evaluate", "--model", "ml100k.singer", "--data", "data/ml100k")
                .WithExample("evaluate", "--model", "ml100k.singer", "--data", "data/ml100k", "--split", "validation", "--json");
            config.AddCommand<RecommendCommand>("recommend")
                .WithDescription("Recommend the top-k items for a user of a saved model (training items left out unless --include-seen). ")
                .WithExample("recommend", "--model", "ml100k.singer", "--user", "42")
                .WithExample("recommend", "--model", "ml100k.singer", "--user", "42", "-k", "5", "--include-seen", "--json");
            config.AddCommand<GraphCommand>("graph")
                .WithDescription("Build the Enhanced Item-Item Semantic Graph of an MMRec folder and print its statistics per modality. ")
                .WithExample("graph", "--data", "data/ml100k")
                .WithExample("graph", "--data", "data/ml100k", "--k", "20", "--coint-k", "5", "--beta", "0.5", "--json");
        });

        try
        {
            return app.Run(NormalizeArguments(args));
        }
        catch (Exception e)
        {
            var (code, message) = Classify(e);
            console.Error.WriteLine($"singer: {message}");
            if (code == ExitCodes.Usage && e is CommandAppException)
            {
                console.Error.WriteLine("Run 'singer --help' or 'singer <command> --help' for the options.");
            }
            else if (code == ExitCodes.Failure && !IsKnown(e))
            {
                // An unexpected error: the type and stack trace help a bug report.
                console.Error.WriteLine(e.ToString());
            }

            return code;
        }
    }

    /// <summary>
    /// Accepts <c>--k</c> (the spelling of the paper's k) for <c>--knn</c>: the option parser needs long names of two
    /// or more characters, so the option is declared as <c>-k|--knn</c>.
    /// </summary>
    internal static string[] NormalizeArguments(string[] args) => args
        .Select(a => a == "--k" ? "--knn" : a.StartsWith("--k=", StringComparison.Ordinal) ? "--knn=" + a[4..] : a)
        .ToArray();

    /// <summary>The exit code and the message to print for an exception that escaped a command.</summary>
    internal static (int Code, string Message) Classify(Exception e)
    {
        if (e is CommandRuntimeException { InnerException: { } inner } && inner is not CommandAppException)
        {
            return Classify(inner);
        }

        return e switch
        {
            UsageException or CommandAppException => (ExitCodes.Usage, e.Message),
            SingerConfigurationException or GraphOptionsException => (ExitCodes.Usage, e.Message),
            // The library's advice (an engine option) has no command-line equivalent: say what the user can check.
            UnknownUserException u => (ExitCodes.Usage, $"User '{u.UserId}' is not known to the model: the id does not exist or had no training interactions (for MMRec folders, --user takes a userID of the .inter file)."),
            UnknownItemException => (ExitCodes.Usage, e.Message),
            DataMismatchException => (ExitCodes.DataError, e.Message),
            DataFormatException or DatasetConsistencyException => (ExitCodes.DataError, InCliTerms(e.Message)),
            ModelFileException => (ExitCodes.DataError, e.Message),
            FileNotFoundException or DirectoryNotFoundException => (ExitCodes.DataError, e.Message),
            TrainingDivergedException => (ExitCodes.Failure, InCliTerms(e.Message)),
            UnauthorizedAccessException or IOException => (ExitCodes.Failure, e.Message),
            InvalidOperationException => (ExitCodes.Failure, e.Message),
            ArgumentException => (ExitCodes.Usage, e.Message),
            _ => (ExitCodes.Failure, $"unexpected error: {e.Message}"),
        };
    }

    /// <summary>
    /// The library's advice names library options and types a command-line user cannot set; these are the command-line
    /// equivalents (a CLI test checks that each library phrase still occurs, so this table cannot rot silently).
    /// </summary>
    internal static readonly IReadOnlyList<(string Library, string Cli)> Hints =
    [
        ("load with DuplicateInteractionPolicy.KeepFirst", "run again with --duplicates keep-first to keep the first of each pair"),
        ("load the file with DelimitedDatasetLoader, which maps string ids",
            "convert the file with the library's DelimitedDatasetLoader, which maps string ids (the command line reads MMRec folders only)"),
        ("Lower the learning rate,", "Lower the learning rate (--lr),"),
        ("or reduce the loss weights.", "or reduce the loss weights (--lambda-p, --lambda-a, --lambda-s)."),
    ];

    /// <summary>The message with the library's advice replaced by the command-line options that do the same.</summary>
    internal static string InCliTerms(string message)
    {
        foreach (var (library, cli) in Hints)
        {
            message = message.Replace(library, cli, StringComparison.Ordinal);
        }

        return message;
    }

    private static bool IsKnown(Exception e) =>
        e is TrainingDivergedException or IOException or UnauthorizedAccessException or InvalidOperationException;

    private static string Version =>
        typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}

/// <summary>The command line is wrong in a way the option parser cannot see (exit code 2).</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>A data folder does not fit the model it is used with (exit code 3).</summary>
internal sealed class DataMismatchException(string message) : Exception(message);
