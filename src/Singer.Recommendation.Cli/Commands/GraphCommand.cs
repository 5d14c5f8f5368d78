using System.ComponentModel;
using System.Globalization;
using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Singer.Recommendation.Cli.Commands;

/// <summary>The options of <c>singer graph</c>.</summary>
internal sealed class GraphSettings : DataSettings
{
    [CommandOption("--data <FOLDER>")]
    [Description("The MMRec data folder. Required.")]
    public override string? Data { get; set; }

    [CommandOption("-k|--knn <N>")]
    [Description("Modality kNN neighbours per item. Default 20.")]
    public int? K { get; set; }

    [CommandOption("--coint-k <N>")]
    [Description("Co-interaction neighbours per item, k_c. Default 10.")]
    public int? CoInteractionK { get; set; }

    [CommandOption("--beta <F>")]
    [Description("Fusion weight β of the co-interaction graph, in [[0, 1]]. Default 0.3.")]
    public float? Beta { get; set; }

    public override ValidationResult Validate() =>
        DataProblem("--data <FOLDER> is required: the MMRec folder whose graph is built.") is { } problem
            ? ValidationResult.Error(problem)
            : ValidationResult.Success();
}

/// <summary><c>singer graph</c>: builds the semantic graph (<see cref="SemanticGraph.Build"/>) and prints <see cref="SemanticGraphStatistics"/> per modality.</summary>
internal sealed class GraphCommand(CliConsole console) : Command<GraphSettings>
{
    public override int Execute(CommandContext context, GraphSettings settings, CancellationToken cancellationToken)
    {
        var device = Shared.ResolveDevice(settings);
        var data = Shared.LoadData(settings);
        var defaults = new SemanticGraphOptions();
        var options = defaults with
        {
            Knn = defaults.Knn with { K = settings.K ?? defaults.Knn.K },
            CoInteractionK = settings.CoInteractionK ?? defaults.CoInteractionK,
            Beta = settings.Beta ?? defaults.Beta,
        };
        if (data.Modalities.Count > 0 && options.Problems(data.ItemCount, data.Modalities.Count, device.TorchDevice) is { Count: > 0 } problems)
        {
            // Every problem at once, named by this command's options rather than the library's.
            throw new SingerConfigurationException("graph configuration", problems.Select(TrainCommand.InCliTerms).ToArray());
        }

        using var loggers = Shared.Loggers(settings);
        var graph = SemanticGraph.Build(data, options, device.TorchDevice, null, settings.Verbose ? loggers.CreateLogger("singer") : null, cancellationToken);
        var stats = graph.Modalities.Select(graph.Statistics).ToArray();
        if (settings.Json)
        {
            Shared.WriteJson(console, new
            {
                dataset = data.Name,
                items = data.ItemCount,
                k = options.Knn.K,
                coInteractionK = options.CoInteractionK,
                beta = options.Beta,
                modalities = stats,
            });
            return ExitCodes.Success;
        }

        console.Out.MarkupLineInterpolated(
            $"[bold]Semantic graph[/] of '{data.Name}': {data.ItemCount:N0} items, k = {options.Knn.K}, k_c = {options.CoInteractionK}, β = {options.Beta:0.###}");
        var table = new Table().Border(TableBorder.Rounded).AddColumn("");
        foreach (var s in stats)
        {
            table.AddColumn(new TableColumn(Markup.Escape(s.Modality)).RightAligned());
        }

        void Row(string name, Func<SemanticGraphStatistics, string> value) =>
            table.AddRow([Markup.Escape(name), .. stats.Select(s => Markup.Escape(value(s)))]);
        var c = CultureInfo.InvariantCulture;
        Row("kNN graph entries", s => s.ModalityEdges.ToString("N0", c));
        Row("co-interaction graph entries", s => s.CoInteractionEdges.ToString("N0", c));
        Row("fused entries", s => s.FusedEdges.ToString("N0", c));
        Row("  from kNN only", s => s.EdgesFromModalityOnly.ToString("N0", c));
        Row("  from co-interaction only", s => s.EdgesFromCoInteractionOnly.ToString("N0", c));
        Row("  from both", s => s.EdgesFromBoth.ToString("N0", c));
        Row("weight share kNN / co-interaction", s => string.Create(c, $"{s.ModalityWeightShare:P1} / {s.CoInteractionWeightShare:P1}"));
        Row("mean / max degree", s => string.Create(c, $"{s.MeanDegree:F2} / {s.MaxDegree}"));
        Row("isolated items", s => s.IsolatedItems.ToString("N0", c));
        console.Out.Write(table);
        foreach (var s in stats)
        {
            console.Out.MarkupLineInterpolated(
                $"degree histogram '{s.Modality}': {string.Join(", ", s.DegreeHistogram.Select((n, d) => (n, d)).Where(p => p.n > 0).Select(p => string.Create(c, $"{p.d}: {p.n:N0}")))}");
        }

        return ExitCodes.Success;
    }
}
