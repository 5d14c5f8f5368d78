// Cold start with SINGER (docs/serving.md): items that nobody has interacted with reach users through their features.
//
//   dotnet run --project samples/Singer.ColdStart -c Release -- [--epochs N] [--device cpu|cuda|auto]
//
// 1. Makes 20% of the synthetic items cold (ColdStartSplit: their training interactions are removed, their features
//    stay), trains SINGER on the rest and ranks only the cold items for the test users: Recall@20 against MostPopular,
//    which cannot tell cold items apart.
// 2. Adds brand-new items, known only by a feature vector, to a RecommendationEngine (AddItems, no retraining) and
//    shows which users they reach: the users who score them highest, and how many users get them in their top 20.
using System.Diagnostics;
using System.Globalization;
using Singer.Recommendation;
using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;

int epochs = 30;
string device = Environment.GetEnvironmentVariable(ComputeDevice.EnvironmentVariable) ?? "cpu";
for (int a = 0; a < args.Length; a++)
{
    switch (args[a])
    {
        case "--epochs" when a + 1 < args.Length && int.TryParse(args[a + 1], CultureInfo.InvariantCulture, out int n) && n > 0:
            epochs = n;
            a++;
            break;
        case "--device" when a + 1 < args.Length:
            device = args[++a];
            break;
        default:
            Console.Error.WriteLine($"Unknown or incomplete argument '{args[a]}'. Usage: Singer.ColdStart [--epochs N] [--device cpu|cuda|auto]");
            return 2;
    }
}

var clock = Stopwatch.StartNew();
var compute = ComputeDevice.Parse(device).Initialize();
var options = new SyntheticDataOptions { Users = 1_000, Items = 500, Interactions = 20_000, Clusters = 10 };
var data = SyntheticDataGenerator.Generate(options);
int[] clusterOf = SyntheticDataGenerator.ItemClusters(options);
var cold = ColdStartSplit.Create(data, seed: 42);
Console.WriteLine($"Data: {data}");
Console.WriteLine($"Cold items: {cold.ColdItems.Count} of {data.ItemCount} (training interactions {data.Train.Count:N0} -> {cold.Dataset.Train.Count:N0}); device {compute}.");

// 1. Cold-item ranking: train without the cold items' interactions, then rank only the cold items.
using var model = SingerModelBuilder.Singer(cold.Dataset)   // the validated defaults
    .WithTraining(t => t.MaxEpochs(epochs).Patience(5))
    .OnDevice(compute)
    .WithSeed(42)
    .Build();
var report = model.Fit(new Progress<EpochReport>(e =>
{
    if (e.Epoch % 5 == 0)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  epoch {e.Epoch,3}  loss {e.Loss.Total:F4}  validation Recall@20 {e.Validation?.Recall(20) ?? double.NaN:F4}"));
    }
}));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"SINGER: {report.Epochs.Count} epochs ({report.StopReason}), best epoch {report.BestEpoch}, {report.MedianEpochSeconds:F2} s per epoch."));

var coldOnly = cold.EvaluationOptions();
var singerCold = model.Evaluate(DataSplit.Test, coldOnly);
EvaluationResult popularCold;
using (var popular = new MostPopularScorer(cold.Dataset, compute))
{
    popularCold = RankingEvaluator.Evaluate(popular, cold.Dataset, DataSplit.Test, coldOnly);
}

Console.WriteLine();
Console.WriteLine($"Cold items only ({singerCold.UserCount} test users with a cold test item; only the {cold.ColdItems.Count} cold items are ranked):");
Console.WriteLine($"{"model",-12} {"Recall@20",10} {"NDCG@20",10}");
foreach (var (name, result) in new[] { ("MostPopular", popularCold), ("SINGER", singerCold) })
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-12} {result.Recall(20),10:F4} {result.Ndcg(20),10:F4}"));
}

// 2. Brand-new items: one per chosen cluster, its features the mean of that cluster's items (a "typical" new item).
using var engine = RecommendationEngine.Create(model);
int[] clusters = [0, 3, 7];
var newIds = clusters.Select(c => $"new-cluster-{c}").ToArray();
var features = data.Modalities.Select(m =>
{
    var values = new float[clusters.Length * m.Dimension];
    for (int n = 0; n < clusters.Length; n++)
    {
        var members = Enumerable.Range(0, data.ItemCount).Where(i => clusterOf[i] == clusters[n]).ToArray();
        foreach (int i in members)
        {
            var row = m.Row(i);
            for (int d = 0; d < m.Dimension; d++)
            {
                values[(n * m.Dimension) + d] += row[d] / members.Length;
            }
        }
    }

    return new ItemModality(m.Name, clusters.Length, m.Dimension, values, takeOwnership: true);
}).ToArray();
engine.AddItems(features, newIds);
Console.WriteLine();
Console.WriteLine($"Added {newIds.Length} brand-new items from their features alone; the engine now ranks {engine.ItemCount} items.");

// How much of a user's training history lies in a cluster: the taste the new item should match.
var train = cold.Dataset.Train;
double Share(int user, int cluster)
{
    var items = train.ItemsOf(user);
    int hits = 0;
    foreach (int i in items)
    {
        hits += clusterOf[i] == cluster ? 1 : 0;
    }

    return items.Length == 0 ? 0 : (double)hits / items.Length;
}

var userIds = data.Users.Ids;
var top20 = engine.RecommendBatch(userIds, 20);
for (int n = 0; n < clusters.Length; n++)
{
    string id = newIds[n];
    var scores = userIds.Select((u, index) => (Index: index, Score: engine.Score(u, [id])[0].Score)).OrderByDescending(x => x.Score).ThenBy(x => x.Index).ToArray();
    int reached = top20.Count(list => list.Any(r => r.ItemId == id));
    double meanShare = Enumerable.Range(0, userIds.Count).Average(u => Share(u, clusters[n]));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{id}: in the top 20 of {reached} users; its 5 highest-scoring users and the share of their history in cluster {clusters[n]} (all users: {meanShare:P0}):"));
    foreach (var (index, score) in scores.Take(5))
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {userIds[index]}  score {score,7:F4}  cluster share {Share(index, clusters[n]),4:P0}"));
    }
}

Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Done in {clock.Elapsed.TotalSeconds:F1} s."));
return 0;
