// From raw content to recommendations (docs/features.md): no Python, no pre-extracted feature files.
//
//   dotnet run --project samples/Singer.FromContent -c Release -- [--items items.csv --interactions interactions.csv]
//                                                                 [--out folder] [--epochs N]
//
// 1. Without --items, writes a small demo shop into --out (default: a temporary folder): items.csv (id, title,
//    description, image), interactions.csv (user, item) and generated PNG pictures, two items without a picture and one
//    with a broken file.
// 2. Reads the CSV files, encodes title + description with all-MiniLM-L6-v2 (TextFeatureEncoder) and the pictures with
//    ResNet18 (ImageFeatureEncoder; items without a readable picture get the mean image vector and are listed), caching
//    both as .npy files beside the CSV files.
// 3. Trains SINGER on the interactions with those two modalities and prints recommendations.
// 4. Adds brand-new items known only by their text (RecommendationEngine.AddItems; their image row is the mean image
//    vector, the rule for a missing picture) and shows which users receive them.
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Singer.Recommendation;
using Singer.Recommendation.Core;
using Singer.Recommendation.Features;
using Singer.Recommendation.Graphs;

string? itemsCsv = null, interactionsCsv = null, outDir = null;
int epochs = 100;
for (int a = 0; a < args.Length; a++)
{
    switch (args[a])
    {
        case "--items" when a + 1 < args.Length: itemsCsv = args[++a]; break;
        case "--interactions" when a + 1 < args.Length: interactionsCsv = args[++a]; break;
        case "--out" when a + 1 < args.Length: outDir = args[++a]; break;
        case "--epochs" when a + 1 < args.Length && int.TryParse(args[a + 1], CultureInfo.InvariantCulture, out int n) && n > 0:
            epochs = n;
            a++;
            break;
        default:
            Console.Error.WriteLine($"Unknown or incomplete argument '{args[a]}'. Usage: Singer.FromContent [--items items.csv --interactions interactions.csv] [--out folder] [--epochs N]");
            return 2;
    }
}

if ((itemsCsv is null) != (interactionsCsv is null))
{
    Console.Error.WriteLine("Give both --items and --interactions, or neither (then a demo shop is generated).");
    return 2;
}

// The model is tiny, and on a busy machine TorchSharp's worker threads mostly wait for a core: with the default threads
// training took 128.8 s instead of 5.2 s on the shared 2-core development machine (docs/features.md). OMP_NUM_THREADS
// overrides this.
if (Environment.GetEnvironmentVariable("OMP_NUM_THREADS") is null)
{
    TorchSharp.torch.set_num_threads(1);
}

var clock = Stopwatch.StartNew();
using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
Dictionary<string, int>? favourite = null;
if (itemsCsv is null)
{
    outDir ??= Path.Combine(Path.GetTempPath(), "singer-fromcontent");
    favourite = DemoCatalogue.Write(outDir);
    itemsCsv = Path.Combine(outDir, "items.csv");
    interactionsCsv = Path.Combine(outDir, "interactions.csv");
    Console.WriteLine($"Demo shop written to {outDir}: items.csv, interactions.csv, images/.");
}

string folder = Path.GetDirectoryName(Path.GetFullPath(itemsCsv))!;

// 1. Interactions: string ids, MMRec's 80/10/10 split per user.
var dataset = DelimitedDatasetLoader.Load(interactionsCsv!, new DelimitedLoadOptions { UserColumn = "user", ItemColumn = "item" });
var catalogue = Csv.Read(itemsCsv).ToDictionary(r => r["id"], StringComparer.Ordinal);
var missing = dataset.Items.Ids.Where(id => !catalogue.ContainsKey(id)).ToArray();
if (missing.Length > 0)
{
    Console.Error.WriteLine($"{missing.Length} items of {interactionsCsv} are not in {itemsCsv} (first: '{missing[0]}').");
    return 3;
}

// Rows in the data set's internal item order, as every modality must be.
var rows = dataset.Items.Ids.Select(id => catalogue[id]).ToArray();
string? ImagePath(Dictionary<string, string> row) =>
    string.IsNullOrWhiteSpace(row["image"]) ? null : Path.Combine(folder, row["image"]);

// 2. Content → modalities.
ItemModality text;
ImageEncodingResult image;
using (var textEncoder = new TextFeatureEncoder(logger: loggerFactory.CreateLogger<TextFeatureEncoder>()))
{
    text = textEncoder.EncodeCached(rows.Select(r => TextFeatureEncoder.JoinFields([r["title"], r["description"]])).ToArray(),
        Path.Combine(folder, "text_feat.npy"));
}

using (var imageEncoder = new ImageFeatureEncoder(logger: loggerFactory.CreateLogger<ImageFeatureEncoder>()))
{
    image = imageEncoder.EncodeCached(rows.Select(ImagePath).ToArray(), Path.Combine(folder, "image_feat.npy"));
}

Console.WriteLine($"Features: {text}, {image.Modality}; {image.Failures.Count} items without a readable picture got the mean image vector:");
foreach (var f in image.Failures)
{
    Console.WriteLine($"    {dataset.Items[f.Item]}: {f.Reason}{(f.Source is null ? "" : $" ({Path.GetFileName(f.Source)})")}");
}

dataset = dataset.WithModalities([text, image.Modality]);
Console.WriteLine($"Data: {dataset}");

// 3. SINGER on behaviour + text + image.
using var model = SingerModelBuilder.Singer(dataset)   // the validated defaults; a small catalogue trains with a smaller batch
    .WithTraining(t => t.BatchSize(256).LearningRate(5e-3).MaxEpochs(epochs).Patience(20))
    .WithSeed(42)
    .Build();
var trainClock = Stopwatch.StartNew();
var report = model.Fit();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"SINGER: {report.Epochs.Count} epochs ({report.StopReason}) in {trainClock.Elapsed.TotalSeconds:F1} s; test Recall@10 {report.Test!.Recall(10):F4}, NDCG@10 {report.Test.Ndcg(10):F4}."));

using var engine = RecommendationEngine.Create(model);
string Title(string id) => catalogue.TryGetValue(id, out var r) ? r["title"] : id;
foreach (string user in dataset.Users.Ids.Take(3))
{
    string taste = favourite is null ? "" : $" (prefers {DemoCatalogue.Themes[favourite[user]].Name})";
    var top = engine.Recommend(user, 5);
    Console.WriteLine($"  {user}{taste}: {string.Join(", ", top.Select(r => $"{Title(r.ItemId)} [{r.ItemId}]"))}");
}

// 4. Brand-new items from their text alone.
(string Id, string Title, string Description)[] newItems =
[
    ("new-mars", "Mars Colony Chronicles", "Astronauts build the first city on the red planet: rockets, alien storms and survival among the stars."),
    ("new-bread", "Sourdough at Home", "Recipes for baking bread in your own kitchen, with sauces and seasonal vegetables for dinner."),
    ("new-sax", "Saxophone After Midnight", "Improvised saxophone solos and swing standards recorded live with a piano trio."),
];
ItemModality newText;
using (var textEncoder = new TextFeatureEncoder())
{
    newText = textEncoder.Encode(newItems.Select(n => TextFeatureEncoder.JoinFields([n.Title, n.Description])).ToArray());
}

// No picture yet: the image row is the mean image vector, the same rule the image encoder applies to a missing picture.
var meanImage = MeanRow(image.Modality);
var newImage = new ItemModality(image.Modality.Name, newItems.Length, meanImage.Length,
    Enumerable.Repeat(meanImage, newItems.Length).SelectMany(r => r).ToArray(), takeOwnership: true);
engine.AddItems([newText, newImage], newItems.Select(n => n.Id).ToArray());
foreach (var (id, title, _) in newItems)
{
    catalogue[id] = new Dictionary<string, string> { ["title"] = title };
}

Console.WriteLine($"Added {newItems.Length} new items from text alone; the engine ranks {engine.ItemCount} items.");
var users = dataset.Users.Ids;
// Every user's full ranking of the items they have not seen: where does each new item land?
var rankings = engine.RecommendBatch(users, engine.ItemCount);
foreach (var (id, title, _) in newItems)
{
    int[] rank = rankings.Select(list => list.Select((r, i) => (r.ItemId, Rank: i + 1)).First(x => x.ItemId == id).Rank).ToArray();
    var receivers = Enumerable.Range(0, users.Count).Where(u => rank[u] <= 20).ToArray();
    Console.WriteLine($"  {title} [{id}]: in the top 20 of {receivers.Length} of {users.Count} users");
    if (favourite is not null)
    {
        // The users whose taste matches the new item's content should rank it highest.
        var byTheme = Enumerable.Range(0, users.Count).GroupBy(u => favourite[users[u]])
            .OrderBy(g => g.Key)
            .Select(g => string.Create(CultureInfo.InvariantCulture,
                $"{DemoCatalogue.Themes[g.Key].Name} fans: median rank {Median(g.Select(u => rank[u]))}, top 20 for {g.Count(u => rank[u] <= 20)} of {g.Count()}"));
        Console.WriteLine($"      {string.Join("; ", byTheme)}");
    }
    else
    {
        Console.WriteLine($"      e.g. {string.Join(", ", receivers.Take(8).Select(u => users[u]))}");
    }
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Done in {clock.Elapsed.TotalSeconds:F1} s."));
return 0;

static int Median(IEnumerable<int> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
}

static float[] MeanRow(ItemModality m)
{
    var mean = new double[m.Dimension];
    for (int i = 0; i < m.ItemCount; i++)
    {
        var row = m.Row(i);
        for (int d = 0; d < m.Dimension; d++)
        {
            mean[d] += row[d];
        }
    }

    return mean.Select(v => (float)(v / Math.Max(1, m.ItemCount))).ToArray();
}
