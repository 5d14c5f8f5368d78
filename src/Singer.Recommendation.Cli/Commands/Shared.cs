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

    /// <summary>Loads an MMRec folder; the loader's exceptions already name the file and line.</summary>
    public static InteractionDataset LoadData(string folder) => MmrecDatasetLoader.Load(folder);

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
