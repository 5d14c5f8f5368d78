// The README's main command: loads the embedded synthetic data (or an MMRec folder with --data) and
// evaluates the baselines. Usage: dotnet run --project samples/Singer.QuickStart -- [--data <mmrec folder>]
using System.Diagnostics;
using Singer.Recommendation.Core;

string? dataFolder = null;
for (int a = 0; a < args.Length; a++)
{
    if (args[a] == "--data" && a + 1 < args.Length)
    {
        dataFolder = args[++a];
    }
    else if (args[a] is "-h" or "--help")
    {
        Console.WriteLine("Singer.QuickStart [--data <MMRec folder>]  (default: the embedded synthetic data)");
        return 0;
    }
    else
    {
        Console.Error.WriteLine($"Unknown argument '{args[a]}'. Use --help.");
        return 2;
    }
}

var device = ComputeDevice.FromEnvironment().Initialize();
var clock = Stopwatch.StartNew();
var dataset = dataFolder is null ? SyntheticDataGenerator.Generate() : MmrecDatasetLoader.Load(dataFolder);
Console.WriteLine($"Data: {dataset}");
Console.WriteLine($"Device: {device}; loaded in {clock.Elapsed.TotalSeconds:F2} s");
Console.WriteLine();

using var popular = new MostPopularScorer(dataset, device);
using var random = new RandomScorer(dataset.ItemCount, seed: 42, device);
foreach (var (name, scorer) in new (string, IRankingScorer)[] { ("MostPopular", popular), ("Random", random) })
{
    var test = RankingEvaluator.Evaluate(scorer, dataset, DataSplit.Test);
    Console.WriteLine($"{name} — {test}");
}

return 0;
