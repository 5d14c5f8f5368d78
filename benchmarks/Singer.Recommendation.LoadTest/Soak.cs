using System.Diagnostics;
using System.Globalization;
using Singer.Recommendation;
using Singer.Recommendation.Core;
using TorchSharp;

/// <summary>
/// The soak mode (<c>soak --rounds R --epochs E --calls C</c>): R rounds of E training epochs on the synthetic data
/// followed by C engine calls (recommendations, batches, similar items, scores) on a fresh engine. After each
/// round it records the live tensors (TorchSharp's dispose-scope statistics), the managed heap after a full
/// collection and the resident set; it fails when live tensors grow or the heap grows by more than 1 MiB after
/// the first round, and reports the peak resident memory (Linux VmHWM).
/// </summary>
internal static class Soak
{
    public static int Run(string[] args)
    {
        int rounds = Option(args, "--rounds", 20);
        int epochs = Option(args, "--epochs", 10);
        int calls = Option(args, "--calls", 5_000);
        var data = SyntheticDataGenerator.Generate(new SyntheticDataOptions { Users = 1_000, Items = 600, Interactions = 15_000, Seed = 2 });
        Console.WriteLine($"Soak: {rounds} rounds × ({epochs} epochs + {calls:N0} engine calls) on {data.UserCount:N0} users × {data.ItemCount:N0} items ({data.Train.Count:N0} training interactions).");
        var stats = DisposeScopeManager.Statistics.TensorStatistics;
        using var model = SingerModelBuilder.Singer(data)
            .WithTraining(t => t.MaxEpochs(epochs).EmbeddingSize(32).BatchSize(2048).WithoutEarlyStopping())
            .WithSeed(1)
            .Build();
        var users = data.Users.Ids.ToArray();
        var items = data.Items.Ids.ToArray();
        var random = new Random(3);
        long? firstLive = null, firstHeap = null;
        long maxLiveGrowth = 0, maxHeapGrowth = 0;
        var clock = Stopwatch.StartNew();
        Console.WriteLine("round | epochs | engine calls | live tensors | managed heap (MiB) | resident (MiB) | elapsed (s)");
        for (int round = 1; round <= rounds; round++)
        {
            model.Fit();
            using (var engine = RecommendationEngine.Create(model))
            {
                for (int c = 0; c < calls; c++)
                {
                    switch (c % 4)
                    {
                        case 0:
                            engine.Recommend(users[random.Next(users.Length)], 20);
                            break;
                        case 1:
                            engine.RecommendBatch([users[random.Next(users.Length)], users[random.Next(users.Length)]], 10);
                            break;
                        case 2:
                            engine.SimilarItems(items[random.Next(items.Length)], 10);
                            break;
                        default:
                            engine.Score(users[random.Next(users.Length)], [items[random.Next(items.Length)], items[random.Next(items.Length)]]);
                            break;
                    }
                }
            }

            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            long live = stats.ThreadTotalLiveCount;
            long heap = GC.GetTotalMemory(forceFullCollection: true);
            firstLive ??= live;
            firstHeap ??= heap;
            maxLiveGrowth = Math.Max(maxLiveGrowth, live - firstLive.Value);
            maxHeapGrowth = Math.Max(maxHeapGrowth, heap - firstHeap.Value);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{round,5} | {round * epochs,6} | {(long)round * calls,12:N0} | {live,12} | {heap / 1048576.0,18:F2} | {Proc("VmRSS:") / 1048576.0,14:F0} | {clock.Elapsed.TotalSeconds,11:F0}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Live tensors grew by at most {maxLiveGrowth} after round 1; managed heap by at most {maxHeapGrowth / 1048576.0:F2} MiB; peak resident memory {Proc("VmHWM:") / 1048576.0:F0} MiB; {clock.Elapsed.TotalMinutes:F1} min."));
        bool ok = maxLiveGrowth == 0 && maxHeapGrowth <= 1 << 20;
        Console.WriteLine(ok ? "PASS: no growth." : "FAIL: growth.");
        return ok ? 0 : 1;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static long Proc(string key)
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith(key, StringComparison.Ordinal))
                {
                    return long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return -1;
    }
}
