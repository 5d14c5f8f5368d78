// The README's main command (./build.sh quickstart): trains SINGER on the embedded synthetic data — or on an
// MMRec folder with --data — and prints its test metrics next to LightGCN and MostPopular.
//
//   dotnet run --project samples/Singer.QuickStart -- [--data <MMRec folder>] [--epochs N] [--device cpu|cuda|auto] [--verbose]
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Singer.Recommendation;
using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;
using Singer.QuickStart;

var options = QuickStartOptions.Parse(args);
if (options is null)
{
    return 2;
}

if (options.Help)
{
    Console.WriteLine(QuickStartOptions.Usage);
    return 0;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // First Ctrl+C stops training gracefully (the best model so far is kept); a second one exits.
    e.Cancel = !cancel.IsCancellationRequested;
    cancel.Cancel();
};

using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(options.Verbose ? LogLevel.Information : LogLevel.Warning));
var device = (options.Device is null ? ComputeDevice.FromEnvironment() : ComputeDevice.Parse(options.Device)).Initialize();
var clock = Stopwatch.StartNew();
var dataset = options.DataFolder is null ? SyntheticDataGenerator.Generate() : MmrecDatasetLoader.Load(options.DataFolder);
Console.WriteLine($"Data:   {dataset}");
Console.WriteLine($"Device: {device}");
Console.WriteLine();

var results = new List<(string Name, EvaluationResult Test, string Note)>();
using (var popular = new MostPopularScorer(dataset, device))
{
    results.Add(("MostPopular", RankingEvaluator.Evaluate(popular, dataset, DataSplit.Test), "training popularity"));
}

foreach (var (name, builder) in new[]
{
    ("LightGCN", SingerModelBuilder.LightGcn(dataset)),
    ("SINGER", SingerModelBuilder.Singer(dataset)),
})
{
    builder.WithTraining(t => t.MaxEpochs(options.Epochs)).OnDevice(device).WithSeed(42).WithLogger(loggerFactory.CreateLogger(name));
    using var model = builder.Build();
    if (model.Graph is { } graph)
    {
        foreach (string modality in graph.Modalities)
        {
            // The statistics name their modality themselves.
            Console.WriteLine(graph.Statistics(modality).ToString().Replace("\n", "\n    ", StringComparison.Ordinal));
        }
    }

    var progress = new ConsoleProgress(name, options.Epochs);
    var report = model.Fit(progress, cancel.Token);
    progress.Finish(report);
    results.Add((name, report.Test!, string.Create(CultureInfo.InvariantCulture,
        $"best epoch {report.BestEpoch} of {report.Epochs.Count}, {report.MedianEpochSeconds:F2} s/epoch")));
    if (cancel.IsCancellationRequested)
    {
        break;
    }
}

Console.WriteLine();
Console.WriteLine($"Test metrics ({results[0].Test.UserCount} users, full ranking, training items masked):");
Console.WriteLine($"{"model",-12} {"Recall@10",10} {"NDCG@10",10} {"Recall@20",10} {"NDCG@20",10}  note");
foreach (var (name, test, note) in results)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name,-12} {test.Recall(10),10:F4} {test.Ndcg(10),10:F4} {test.Recall(20),10:F4} {test.Ndcg(20),10:F4}  {note}"));
}

if (options.DataFolder is null)
{
    // Say what the comparison above is and is not: the embedded data set is small, synthetic and popularity-heavy.
    Console.WriteLine();
    Console.WriteLine("The embedded synthetic data set is small and popularity-heavy: this run checks that everything works, it is");
    Console.WriteLine("not a benchmark. The comparison on real data (MovieLens-100K, several seeds) is in docs/results.md; run");
    Console.WriteLine("./build.sh quickstart --data <MMRec folder> to repeat it on yours.");
}

Console.WriteLine();
Console.WriteLine($"Done in {clock.Elapsed.TotalSeconds:F1} s.");
return 0;
