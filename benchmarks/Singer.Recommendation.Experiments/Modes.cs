using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;
using TorchSharp;

namespace Singer.Recommendation.Experiments;

/// <summary>The outcome of one training run, as printed in RESULT lines and result files (JSON lines).</summary>
internal sealed record RunResult(
    string Label,
    int BestEpoch,
    int Epochs,
    double ValidRecall20,
    double TestRecall10,
    double TestRecall20,
    double TestNdcg10,
    double TestNdcg20,
    double MedianEpochSeconds,
    double MedianEvalSeconds,
    double TotalSeconds,
    string Device);

internal static class Modes
{
    public const string Usage = """
        Singer.Recommendation.Experiments <mode> --data <MMRec folder> [options]

          train <singer|lightgcn> [key=value ...]   one run with early stopping on validation
          search --grid <file>                      one run per line of <file> ("singer key=value ..."); '#' starts a comment
          ablation [key=value ...]                  SINGER with the settings, each SPEC §5 ablation, each single modality, ID/both semantic input, one uniform negative, LightGCN (one and 8 negative candidates)
          coldstart [key=value ...]                 SPEC §6: 20% cold items; SINGER vs LightGCN vs content-kNN vs MostPopular on cold items
          baselines                                 MostPopular and content-kNN (k chosen on validation among --cbf-k values) on all items
          summarize --in <file.jsonl>[,<file>...]   one row per configuration over its seeds: mean and min–max of each metric
          speed [key=value ...]                     median training-epoch and full-ranking evaluation time, LightGCN and SINGER
          foldin [key=value ...]                    10% of users held out of training entirely, folded in from their training items

          --epochs <n>     the most epochs of a run (default 1000; speed: epochs timed, default 10)
          --out <file>     append each run as a JSON line; search and ablation skip runs already in it (resume)
          --cbf-k <list>   content-kNN neighbour counts (baselines: comma-separated candidates, default 10,20,50,100,200;
                           coldstart: one value, default 50)
          keys: beta k kc self weight eps mode lp la ls tau cap lb lsem fusion mod l2 lr batch d seed (default seed 999)
                input comb idtable place scale rows dir sg sga warmup cw (SPEC §8 options; see ModelSettings)
          SINGER_DEVICE=cuda runs on a GPU.
        """;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public static int Train(CommandLine cli, ComputeDevice device)
    {
        if (cli.Words.Count == 0)
        {
            throw new ArgumentException("train needs a model: singer or lightgcn.");
        }

        var data = MmrecDatasetLoader.Load(cli.Data);
        var settings = ModelSettings.Parse(cli.Words[0], cli.Words.Skip(1));
        var result = Run(data, settings, cli.Epochs, device, cli.Get("out"));
        PrintTable([result]);
        return 0;
    }

    public static int Search(CommandLine cli, ComputeDevice device)
    {
        string grid = cli.Get("grid") ?? throw new ArgumentException("search needs --grid <file>.");
        var data = MmrecDatasetLoader.Load(cli.Data);
        var runs = File.ReadAllLines(grid)
            .Select(l => l.Split('#')[0].Trim())
            .Where(l => l.Length > 0)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(w => ModelSettings.Parse(w[0], w.Skip(1)))
            .ToList();
        var results = RunAll(data, runs, cli.Epochs, device, cli.Get("out"));
        var best = results.OrderByDescending(r => r.ValidRecall20).First();
        PrintTable(results.OrderByDescending(r => r.ValidRecall20).ToList());
        Console.WriteLine($"\nBest by validation Recall@20: {best.Label} (validation {best.ValidRecall20:F4}, test Recall@20 {best.TestRecall20:F4}, NDCG@20 {best.TestNdcg20:F4})");
        return 0;
    }

    public static int Ablation(CommandLine cli, ComputeDevice device)
    {
        var data = MmrecDatasetLoader.Load(cli.Data);
        var full = ModelSettings.Parse("singer", cli.Words);
        var runs = new List<ModelSettings>
        {
            full,
            full.With("beta", "0"),
            full.With("lp", "0"),
            full.With("la", "0"),
            // The standard alignment: off when the configuration has it on, on (the SPEC's 0.1) when it is off
            // (the default λ_s is 0).
            full.With("ls", (full.Settings.LastOrDefault(kv => kv.Key == "ls").Value ?? "0") == "0" ? "0.1" : "0"),
        };
        runs.AddRange(data.Modalities.Select(m => full.With("mod", m.Name)));
        runs.Add(full.With("input", "ids"));
        runs.Add(full.With("input", "both"));
        runs.Add(full.With("neg", "1"));
        var lightGcn = ModelSettings.Parse("lightgcn", full.Settings.Where(kv => kv.Key is "seed" or "l2" or "lb" or "lr" or "batch" or "d").Select(kv => $"{kv.Key}={kv.Value}"));
        runs.Add(lightGcn);
        runs.Add(lightGcn.With("neg", "8"));
        var results = RunAll(data, runs, cli.Epochs, device, cli.Get("out"));
        PrintTable(results);
        return 0;
    }

    public static int ColdStart(CommandLine cli, ComputeDevice device)
    {
        var original = MmrecDatasetLoader.Load(cli.Data);
        var cold = ColdStartSplit.Create(original, seed: 42);
        var data = cold.Dataset;
        var coldOptions = cold.EvaluationOptions();
        Console.WriteLine($"Cold items: {cold.ColdItems.Count} of {original.ItemCount}; training interactions {original.Train.Count:N0} → {data.Train.Count:N0}.");
        var rows = new List<(string Model, EvaluationResult Cold, EvaluationResult All)>();
        using (var popular = new MostPopularScorer(data, device))
        {
            rows.Add(("MostPopular", RankingEvaluator.Evaluate(popular, data, DataSplit.Test, coldOptions), RankingEvaluator.Evaluate(popular, data, DataSplit.Test)));
        }

        int cbfK = int.Parse(cli.Get("cbf-k") ?? "50", CultureInfo.InvariantCulture);
        var contentKnn = new ContentKnnScorer(data, new ContentKnnOptions { K = cbfK }, device);
        rows.Add(($"content-kNN (k = {cbfK})", RankingEvaluator.Evaluate(contentKnn, data, DataSplit.Test, coldOptions), RankingEvaluator.Evaluate(contentKnn, data, DataSplit.Test)));

        var singer = ModelSettings.Parse("singer", cli.Words);
        var lightGcn = ModelSettings.Parse("lightgcn", singer.Settings.Where(kv => kv.Key is "seed" or "l2" or "lb" or "lr").Select(kv => $"{kv.Key}={kv.Value}"));
        foreach (var settings in cli.Options.ContainsKey("no-lightgcn") ? new[] { singer } : new[] { lightGcn, singer })
        {
            using var model = settings.Apply(data, cli.Epochs).OnDevice(device).Build();
            var report = model.Fit(new EveryTenEpochs(settings.Label));
            rows.Add((settings.Label, model.Evaluate(DataSplit.Test, coldOptions), report.Test!));
        }

        Console.WriteLine($"\nCold-start items ({rows[0].Cold.UserCount} test users with cold test items; only cold items ranked):\n");
        Console.WriteLine("| model | cold Recall@10 | cold NDCG@10 | cold Recall@20 | cold NDCG@20 | all-item test Recall@20 |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var (model, c, all) in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {model} | {c.Recall(10):F4} | {c.Ndcg(10):F4} | {c.Recall(20):F4} | {c.Ndcg(20):F4} | {all.Recall(20):F4} |"));
        }

        return 0;
    }

    public static int Baselines(CommandLine cli, ComputeDevice device)
    {
        var data = MmrecDatasetLoader.Load(cli.Data);
        Console.WriteLine("| baseline | valid Recall@20 | test Recall@10 | test Recall@20 | test NDCG@10 | test NDCG@20 |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        void Row(string name, IRankingScorer scorer)
        {
            var v = RankingEvaluator.Evaluate(scorer, data, DataSplit.Validation);
            var t = RankingEvaluator.Evaluate(scorer, data, DataSplit.Test);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {v.Recall(20):F4} | {t.Recall(10):F4} | {t.Recall(20):F4} | {t.Ndcg(10):F4} | {t.Ndcg(20):F4} |"));
        }

        using (var popular = new MostPopularScorer(data, device))
        {
            Row("MostPopular", popular);
        }

        foreach (string k in (cli.Get("cbf-k") ?? "10,20,50,100,200").Split(','))
        {
            Row($"content-kNN k = {k}", new ContentKnnScorer(data, new ContentKnnOptions { K = int.Parse(k, CultureInfo.InvariantCulture) }, device));
        }

        return 0;
    }

    public static int Summarize(CommandLine cli)
    {
        string files = cli.Get("in") ?? throw new ArgumentException("summarize needs --in <file.jsonl>[,<file.jsonl>...].");
        var runs = files.Split(',').SelectMany(File.ReadAllLines).Where(l => l.Length > 0)
            .Select(l => JsonSerializer.Deserialize<RunResult>(l, Json)!)
            .ToList();
        static string WithoutSeed(string label) =>
            string.Join(' ', label.Split(' ').Where(w => !w.StartsWith("seed=", StringComparison.Ordinal)));
        static string Seed(string label) => label.Split(' ').FirstOrDefault(w => w.StartsWith("seed=", StringComparison.Ordinal))?[5..] ?? "999";
        Console.WriteLine("| configuration | seeds | best epochs | valid R@20 | test R@20 | test N@20 |");
        Console.WriteLine("| --- | --- | --- | ---: | ---: | ---: |");
        string Cell(IReadOnlyList<double> v) => v.Count == 1
            ? v[0].ToString("F4", CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{v.Average():F4} ({v.Min():F4}–{v.Max():F4})");
        foreach (var group in runs.GroupBy(r => WithoutSeed(r.Label)).OrderByDescending(g => g.Average(r => r.ValidRecall20)))
        {
            // The last run of a label wins when a file repeats it.
            var bySeed = group.GroupBy(r => Seed(r.Label)).Select(g => g.Last()).OrderBy(r => Seed(r.Label), StringComparer.Ordinal).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {group.Key} | {string.Join(", ", bySeed.Select(r => Seed(r.Label)))} | {string.Join(", ", bySeed.Select(r => r.BestEpoch))} | {Cell(bySeed.Select(r => r.ValidRecall20).ToList())} | {Cell(bySeed.Select(r => r.TestRecall20).ToList())} | {Cell(bySeed.Select(r => r.TestNdcg20).ToList())} |"));
        }

        return 0;
    }

    /// <summary>
    /// <c>foldin</c>: 10 % of the users with test interactions (seed 42) are held out of training entirely — their
    /// training, validation and test rows removed — and LightGCN and SINGER train on the rest; each held-out user is
    /// then folded in from their training items (RecommendationEngine fold-in) and ranked on their test items with
    /// the same full-ranking protocol (training items masked). Rows: the held-out users folded in, the same users with
    /// the ID embedding set to zero (ablation), the trained users of the same model, MostPopular on the held-out users,
    /// and (SINGER) the held-out users when a model trained with them.
    /// </summary>
    public static int FoldIn(CommandLine cli, ComputeDevice device)
    {
        var full = MmrecDatasetLoader.Load(cli.Data);
        var random = new Random(42);
        var candidates = Enumerable.Range(0, full.UserCount).Where(u => full.Test.CountOf(u) > 0 && full.Train.CountOf(u) > 0).ToArray();
        var heldOut = candidates.OrderBy(_ => random.Next()).Take(candidates.Length / 10).Order().ToArray();
        var isHeldOut = new bool[full.UserCount];
        foreach (int u in heldOut)
        {
            isHeldOut[u] = true;
        }

        UserItemMatrix Keep(UserItemMatrix m, Func<int, bool> keep)
        {
            var users = new List<int>();
            var items = new List<int>();
            for (int u = 0; u < m.UserCount; u++)
            {
                if (keep(u))
                {
                    foreach (int i in m.ItemsOf(u))
                    {
                        users.Add(u);
                        items.Add(i);
                    }
                }
            }

            return UserItemMatrix.FromPairs(m.UserCount, m.ItemCount, users.ToArray(), items.ToArray());
        }

        var training = new InteractionDataset(full.Name + "-heldout", full.Users, full.Items,
            Keep(full.Train, u => !isHeldOut[u]), Keep(full.Validation, u => !isHeldOut[u]), Keep(full.Test, u => !isHeldOut[u]), full.Modalities);
        // Evaluated on the held-out users' test rows, with their (original) training items masked.
        var heldOutTest = new InteractionDataset(full.Name + "-heldout-test", full.Users, full.Items,
            full.Train, full.Validation, Keep(full.Test, u => isHeldOut[u]), full.Modalities);
        Console.WriteLine($"Held out {heldOut.Length} of {full.UserCount} users ({training.Train.Count:N0} of {full.Train.Count:N0} training rows remain); seed 42.");

        var rows = new List<(string Row, EvaluationResult Result)>();
        using (var popular = new MostPopularScorer(training, device))
        {
            rows.Add(("MostPopular, held-out users", RankingEvaluator.Evaluate(popular, heldOutTest, DataSplit.Test)));
        }

        var singer = ModelSettings.Parse("singer", cli.Words);
        var lightGcn = ModelSettings.Parse("lightgcn", singer.Settings.Where(kv => kv.Key is "seed" or "l2" or "lb" or "lr").Select(kv => $"{kv.Key}={kv.Value}"));
        foreach (var settings in new[] { lightGcn, singer })
        {
            using var model = settings.Apply(training, cli.Epochs).OnDevice(device).Build();
            var report = model.Fit(new EveryTenEpochs(settings.Label));
            using var engine = RecommendationEngine.Create(model);
            string name = settings.Model == "singer" ? "SINGER" : "LightGCN";
            foreach (var (label, ego) in new[] { ("folded in", Serving.EgoEstimate.Regression), ("folded in, ID embedding 0", Serving.EgoEstimate.Zero) })
            {
                using var scorer = new FoldInScorer(engine, model, full, isHeldOut, ego);
                rows.Add(($"{name}, held-out users {label}", RankingEvaluator.Evaluate(scorer, heldOutTest, DataSplit.Test)));
            }

            rows.Add(($"{name}, trained users of the same model", report.Test!));
        }

        if (!cli.Options.ContainsKey("skip-full"))
        {
            using var model = singer.Apply(full, cli.Epochs).OnDevice(device).Build();
            model.Fit(new EveryTenEpochs(singer.Label + " (all users)"));
            rows.Add(("SINGER trained with them, held-out users", RankingEvaluator.Evaluate(model, heldOutTest, DataSplit.Test)));
        }

        Console.WriteLine($"\nHeld-out users folded in ({rows[0].Result.UserCount} held-out test users):\n");
        Console.WriteLine("| users and model | users | Recall@10 | NDCG@10 | Recall@20 | NDCG@20 |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (row, r) in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {row} | {r.UserCount} | {r.Recall(10):F4} | {r.Ndcg(10):F4} | {r.Recall(20):F4} | {r.Ndcg(20):F4} |"));
        }

        return 0;
    }

    public static int Speed(CommandLine cli, ComputeDevice device)
    {
        var data = MmrecDatasetLoader.Load(cli.Data);
        int epochs = cli.Options.ContainsKey("epochs") ? cli.Epochs : 10;
        var singer = ModelSettings.Parse("singer", cli.Words);
        Console.WriteLine($"Data: {data}\nDevice: {device}; CPU threads: {TorchSharp.torch.get_num_threads()}; {epochs} epochs each, validation after every epoch.\n");
        Console.WriteLine("| model | median training epoch (s) | median full-ranking evaluation of all validation users (s) | graph build (s) |");
        Console.WriteLine("| --- | --- | --- | --- |");
        foreach (var settings in new[] { ModelSettings.Parse("lightgcn", []), singer })
        {
            var clock = Stopwatch.StartNew();
            using var model = settings.Apply(data, epochs).OnDevice(device).WithTraining(t => t.Patience(epochs + 1)).Build();
            double build = clock.Elapsed.TotalSeconds;
            var report = model.Fit();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {settings.Label} | {report.MedianEpochSeconds:F3} | {report.MedianEvaluationSeconds:F3} | {build:F2} |"));
        }

        Console.WriteLine($"\nPeak working set of the process: {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024):F0} MiB");
        return 0;
    }

    private static List<RunResult> RunAll(InteractionDataset data, List<ModelSettings> runs, int epochs, ComputeDevice device, string? outFile)
    {
        var done = new Dictionary<string, RunResult>();
        if (outFile is not null && File.Exists(outFile))
        {
            foreach (string line in File.ReadAllLines(outFile).Where(l => l.Length > 0))
            {
                var r = JsonSerializer.Deserialize<RunResult>(line, Json)!;
                done[r.Label] = r;
            }
        }

        var results = new List<RunResult>();
        foreach (var settings in runs)
        {
            if (done.TryGetValue(settings.Label, out var previous))
            {
                Console.Error.WriteLine($"[skip] {settings.Label}: already in {outFile}");
                results.Add(previous);
                continue;
            }

            results.Add(Run(data, settings, epochs, device, outFile));
        }

        return results;
    }

    private static RunResult Run(InteractionDataset data, ModelSettings settings, int epochs, ComputeDevice device, string? outFile)
    {
        var clock = Stopwatch.StartNew();
        using var model = settings.Apply(data, epochs).OnDevice(device).Build();
        var report = model.Fit(new EveryTenEpochs(settings.Label));
        var result = new RunResult(
            settings.Label,
            report.BestEpoch,
            report.Epochs.Count,
            report.BestValidation?.Recall(20) ?? double.NaN,
            report.Test!.Recall(10),
            report.Test.Recall(20),
            report.Test.Ndcg(10),
            report.Test.Ndcg(20),
            report.MedianEpochSeconds,
            report.MedianEvaluationSeconds,
            clock.Elapsed.TotalSeconds,
            device.ToString());
        string json = JsonSerializer.Serialize(result, Json);
        Console.WriteLine("RESULT " + json);
        if (outFile is not null)
        {
            File.AppendAllText(outFile, json + Environment.NewLine);
        }

        return result;
    }

    private static void PrintTable(IReadOnlyList<RunResult> results)
    {
        Console.WriteLine();
        Console.WriteLine("| configuration | best epoch | valid R@20 | test R@10 | test R@20 | test N@10 | test N@20 | s/epoch |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Label} | {r.BestEpoch} | {r.ValidRecall20:F4} | {r.TestRecall10:F4} | {r.TestRecall20:F4} | {r.TestNdcg10:F4} | {r.TestNdcg20:F4} | {r.MedianEpochSeconds:F2} |"));
        }
    }

    /// <summary>Progress on standard error every 10 epochs and at each new best.</summary>
    private sealed class EveryTenEpochs(string label) : IProgress<Singer.Recommendation.EpochReport>
    {
        public void Report(Singer.Recommendation.EpochReport value)
        {
            if (value.Epoch % 10 == 0)
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"[{label}] epoch {value.Epoch}: loss {value.Loss.Total:F4} (BPR {value.Loss.Bpr:F4}), validation Recall@20 {value.Validation?.Recall(20) ?? double.NaN:F4}, {value.TrainSeconds:F2} s"));
            }
        }
    }
}

/// <summary>Scores held-out users by their fold-in representation and everyone else by the model.</summary>
internal sealed class FoldInScorer(RecommendationEngine engine, SingerModel model, InteractionDataset full, bool[] heldOut, Serving.EgoEstimate ego) : IRankingScorer, IDisposable
{
    private readonly Dictionary<int, float[]> _cache = [];

    public int ItemCount => model.ItemCount;

    public torch.Device Device => model.Device;

    public torch.Tensor ScoreUsers(torch.Tensor users)
    {
        var z = model.Representations();
        using var scope = torch.NewDisposeScope();
        var ids = users.cpu().data<long>().ToArray();
        var rows = new torch.Tensor[ids.Length];
        for (int n = 0; n < ids.Length; n++)
        {
            int u = (int)ids[n];
            if (!heldOut[u])
            {
                rows[n] = z.Users[u];
                continue;
            }

            if (!_cache.TryGetValue(u, out var v))
            {
                var items = full.Train.ItemsOf(u).ToArray().Select(i => full.Items[i]).ToArray();
                v = engine.FoldInVector(items, null, ego);
                _cache[u] = v;
            }

            rows[n] = torch.tensor(v).to(model.Device);
        }

        return torch.stack(rows).matmul(z.Items.t()).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
    }
}
