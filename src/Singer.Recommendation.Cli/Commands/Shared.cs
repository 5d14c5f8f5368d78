using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Singer.Recommendation.Core;
using Spectre.Console;

namespace Singer.Recommendation.Cli.Commands;

/// <summary>What the commands share: device selection, logging, JSON and metric tables.</summary>
internal static class Shared
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The device named by <c>--device</c>, else by SINGER_DEVICE, else the CPU; CUDA is checked at once.</summary>
    public static ComputeDevice ResolveDevice(CommonSettings settings) =>
        (settings.Device is null ? ComputeDevice.FromEnvironment() : ComputeDevice.Parse(settings.Device)).Initialize();

    /// <summary>A logger factory that writes to stderr with <c>--verbose</c>, and nowhere otherwise.</summary>
    public static ILoggerFactory Loggers(CommonSettings settings) => settings.Verbose
        ? LoggerFactory.Create(b => b
            .AddSimpleConsole(o => o.SingleLine = true)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .SetMinimumLevel(LogLevel.Information))
        : NullLoggerFactory.Instance;

    /// <summary>Writes <paramref name="value"/> as indented camelCase JSON, followed by a newline.</summary>
    public static void WriteJson(CliConsole console, object value)
    {
        console.Stdout.WriteLine(JsonSerializer.Serialize(value, value.GetType(), JsonOptions));
        console.Stdout.Flush();
    }

    /// <summary>The JSON shape of an evaluation: the split, the users evaluated and the metrics at each K.</summary>
    public static object MetricsJson(EvaluationResult result) => new
    {
        split = result.Split.ToString().ToLowerInvariant(),
        users = result.UserCount,
        metrics = result.ByK,
    };

    /// <summary>A table of every metric at every K.</summary>
    public static Table MetricsTable(EvaluationResult result)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn(new TableColumn("K").RightAligned())
            .AddColumn(new TableColumn("Recall").RightAligned())
            .AddColumn(new TableColumn("NDCG").RightAligned())
            .AddColumn(new TableColumn("Precision").RightAligned())
            .AddColumn(new TableColumn("MAP").RightAligned())
            .AddColumn(new TableColumn("HitRate").RightAligned());
        foreach (var m in result.ByK)
        {
            table.AddRow(m.K.ToString(CultureInfo.InvariantCulture), F4(m.Recall), F4(m.Ndcg), F4(m.Precision), F4(m.Map), F4(m.HitRate));
        }

        return table;
    }

    public static string F4(double value) => value.ToString("F4", CultureInfo.InvariantCulture);

    /// <summary>A file size for people: bytes, KiB or MiB.</summary>
    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:F1} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):F1} MiB"),
    };

    /// <summary>What is wrong with a <c>--name</c> value (a data set's name, not a path), or null.</summary>
    public static string? NameProblem(string? name) =>
        name is null ? null
        : string.IsNullOrWhiteSpace(name) ? "--name needs the data set's name: the <NAME> of <NAME>.inter in the --data folder."
        : name.IndexOfAny(['/', '\\']) >= 0 ? $"--name takes the data set's name, not a path; got '{name}'. Give the folder with --data and the <NAME> of its <NAME>.inter with --name."
        : null;

    /// <summary>
    /// Loads an MMRec folder; the loader's exceptions already name the file and line. Where the fix is a command-line
    /// option — several <c>.inter</c> files, or a <c>--name</c> the folder does not hold — the message names
    /// <c>--name</c> instead of the library's <c>MmrecLoadOptions.Name</c> (exit code 2); <c>--duplicates</c> chooses
    /// the duplicate policy.
    /// </summary>
    public static InteractionDataset LoadData(DataSettings settings)
    {
        string folder = settings.Data!;
        string? name = settings.Name;
        if (Directory.Exists(folder))
        {
            var present = Directory.GetFiles(folder, "*.inter").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToArray();
            string list = string.Join(", ", present.Select(n => n + ".inter"));
            if (name is null && present.Length > 1)
            {
                throw new UsageException(
                    $"{folder} holds {present.Length} data sets ({list}); choose one with --name <NAME>, for example --name {present[0]}.");
            }

            if (name is not null && !present.Contains(name, StringComparer.Ordinal))
            {
                // "--name baby.inter" means the data set baby.
                string? bare = name.EndsWith(".inter", StringComparison.Ordinal) ? name[..^".inter".Length] : null;
                if (bare is not null && present.Contains(bare, StringComparer.Ordinal))
                {
                    name = bare;
                }
                else if (present.Length > 0 && !Directory.Exists(Path.Combine(folder, name + ".inter")))
                {
                    throw new UsageException($"--name {name}: {folder} has no {name}.inter; its data sets are {list}.");
                }
            }
        }

        return MmrecDatasetLoader.Load(folder, new MmrecLoadOptions { Name = name, Duplicates = settings.DuplicatePolicy });
    }

    /// <summary>Checks that a data folder describes the same users and items as a saved model.</summary>
    /// <exception cref="DataMismatchException">The counts differ.</exception>
    public static void CheckFits(SingerModel model, string modelPath, InteractionDataset data, string folder, TextWriter warnings)
    {
        var trained = model.Dataset;
        if (trained.UserCount != data.UserCount || trained.ItemCount != data.ItemCount)
        {
            throw new DataMismatchException(string.Create(CultureInfo.InvariantCulture,
                $"{folder} has {data.UserCount:N0} users and {data.ItemCount:N0} items, but the model {modelPath} was trained on '{trained.Name}' with {trained.UserCount:N0} users and {trained.ItemCount:N0} items; evaluate a model on the data folder it was trained on."));
        }

        if (trained.Train.Count != data.Train.Count)
        {
            warnings.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"singer: warning: {folder} has {data.Train.Count:N0} training interactions but the model was trained on {trained.Train.Count:N0}; the split differs, so the masked items and the metrics may not be comparable."));
        }
    }
}
