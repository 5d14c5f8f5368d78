using System.Diagnostics;
using System.Globalization;
using System.Text;
using Singer.Recommendation.Core;
using Singer.Recommendation.Encoders;
using static TorchSharp.torch;

namespace Singer.Recommendation.Benchmarks;

/// <summary>
/// <c>growth-steps</c>: where the time of a training step goes as the data grows. For each factor f (the data sets of
/// <see cref="GrowthMode"/>) and model it trains a few steps with a constant number of steps per epoch (batch
/// 2,048·f unless <c>--batch N</c>) and prints the time per step of each part (<see cref="StepProfile"/>), in ms and in
/// ns per training interaction of the batch, and each part's fitted growth exponent (expected 1: the work of a step
/// of batch 2,048·f — the propagation over all edges, the batch's scoring, the optimizer over all rows — grows as f).
/// With <c>--spmm</c> it also times the bare propagation (<see cref="BehaviorEncoder.PropagateLayers"/>, 2 layers, no
/// gradient, native memory retained as in training) per edge, for the graph in its own id order and with users and
/// items renumbered (by descending degree, and at random), to tell memory traffic from work; <c>--models none</c>
/// times only that.
/// </summary>
/// <remarks>
/// Arguments: <c>--factors 1,4,16</c> <c>--models lightgcn,singer</c> <c>--steps 6</c> (timed steps; the table is their
/// mean, the epoch's sampling once; training stops after them and the test split is not evaluated) <c>--cap 256</c>
/// (SINGER's <c>ContrastiveRows</c>) <c>--batch N</c> <c>--spmm</c> <c>--no-retain</c> (<see cref="TrainingOptions.RetainNativeMemory"/>
/// off) or <c>--compare-retention</c> (each run with it off, then on, side by side) <c>--output FILE.md</c>.
/// </remarks>
internal static class GrowthStepsMode
{
    public static int Run(string[] args)
    {
        var factors = ModeSupport.Ints(args, "factors", "1,4,16");
        var models = ModeSupport.Option(args, "models", "lightgcn,singer").Split(',', StringSplitOptions.RemoveEmptyEntries).Where(m => m != "none").ToArray();
        int steps = ModeSupport.Int(args, "steps", 6), cap = ModeSupport.Int(args, "cap", 256), fixedBatch = ModeSupport.Int(args, "batch", 0);
        bool spmm = args.Contains("--spmm");
        // --compare-retention: every run twice, RetainNativeMemory off then on, side by side in this process.
        var retains = args.Contains("--compare-retention") ? new[] { false, true } : new[] { !args.Contains("--no-retain") };
        string output = ModeSupport.Option(args, "output", "");
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(c, $"Per-step profile: f × ml100k, batch {(fixedBatch > 0 ? fixedBatch.ToString("N0", c) : "2,048·f")}, {steps} steps per run after the epoch's sampling, SINGER with ContrastiveRows = {cap}, d = 64, library defaults otherwise");
        sb.AppendLine("Machine: " + ModeSupport.Machine() + "; load average at start: " + ModeSupport.LoadAverage() + "; OMP_NUM_THREADS=" + (Environment.GetEnvironmentVariable("OMP_NUM_THREADS") ?? "unset"));
        sb.AppendLine();
        sb.AppendLine("ms per step (epoch sampling: ms per epoch):");
        sb.AppendLine();
        sb.AppendLine("| f | model | retain native memory | edges (2·train) | batch | " + string.Join(" | ", StepProfile.Parts) + " | step total | ns per batch triple | load |");
        sb.AppendLine("|---:|---|---|---:|---:|" + string.Concat(Enumerable.Repeat("---:|", StepProfile.Parts.Length)) + "---:|---:|---|");
        Console.Write(sb.ToString());
        var rows = new List<(int F, string Model, double[] PerStep, double Total)>();
        var variants = models.SelectMany(m => retains.Select(r => (Model: m, Retain: r))).ToArray();
        var spmmRows = new List<string>();
        foreach (int f in factors)
        {
            var data = Generate(f);
            foreach (var (model, retain) in variants)
            {
                int batch = fixedBatch > 0 ? fixedBatch : 2048 * f;
                var builder = (model == "lightgcn" ? SingerModelBuilder.LightGcn(data) : SingerModelBuilder.Singer(data))
                    .WithTraining(t => t.MaxEpochs(1).BatchSize(batch).WithoutEarlyStopping().RetainNativeMemory(retain))
                    .WithSeed(1);
                if (model != "lightgcn")
                {
                    builder.SetComponent((builder.GetComponent<Singer.Recommendation.Losses.AlignmentOptions>() ?? new()) with { ContrastiveRows = cap });
                }

                using var built = builder.Build();
                var profile = new StepProfile { StopAfter = steps };
                built.Profile = profile;
                built.Fit();
                int n = Math.Max(profile.Steps, 1);
                var perStep = profile.Seconds.Select((s, k) => 1000 * (k == 0 ? s / Math.Max(profile.Epochs, 1) : s / n)).ToArray();
                double total = perStep.Skip(1).Sum();
                rows.Add((f, Key(model, retain), perStep, total));
                string line = string.Create(c,
                    $"| {f} | {(model == "lightgcn" ? "LightGCN" : "SINGER")} | {(retain ? "yes" : "no")} | {2L * data.Train.Count:N0} | {batch:N0} | {string.Join(" | ", perStep.Select(v => v.ToString("F1", c)))} | {total:F1} | {1e6 * total / batch:F0} | {ModeSupport.LoadAverage()} |");
                sb.AppendLine(line);
                Console.WriteLine(line);
            }

            if (spmm)
            {
                spmmRows.AddRange(Propagation(f, data.Train));
                foreach (var r in spmmRows.Skip(spmmRows.Count - 3))
                {
                    Console.WriteLine(r);
                }
            }

            GC.Collect();
        }

        sb.AppendLine();
        sb.AppendLine("Fitted growth exponent of each part per step (slope of log(ms) over log(f); the step's work grows as f¹):");
        sb.AppendLine();
        sb.AppendLine("| model | retain native memory | " + string.Join(" | ", StepProfile.Parts) + " | step total |");
        sb.AppendLine("|---|---|" + string.Concat(Enumerable.Repeat("---:|", StepProfile.Parts.Length)) + "---:|");
        foreach (var (model, retain) in variants)
        {
            var mine = rows.Where(r => r.Model == Key(model, retain)).ToArray();
            var slopes = Enumerable.Range(0, StepProfile.Parts.Length)
                .Select(k => GrowthMode.Slope(mine.Where(r => r.PerStep[k] > 0).Select(r => (Math.Log(r.F), Math.Log(r.PerStep[k]))).ToArray()))
                .Append(GrowthMode.Slope(mine.Select(r => (Math.Log(r.F), Math.Log(r.Total))).ToArray()));
            sb.AppendLine(c, $"| {(model == "lightgcn" ? "LightGCN" : "SINGER")} | {(retain ? "yes" : "no")} | {string.Join(" | ", slopes.Select(v => v.ToString("F2", c)))} |");
        }

        if (spmmRows.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("The bare propagation (2 layers, no gradient, median of 7), per edge:");
            sb.AppendLine();
            sb.AppendLine("| f | edges | node table (MB) | order | ms | ns per edge per layer |");
            sb.AppendLine("|---:|---:|---:|---|---:|---:|");
            foreach (var r in spmmRows)
            {
                sb.AppendLine(r);
            }
        }

        sb.AppendLine();
        sb.AppendLine("Load average at the end: " + ModeSupport.LoadAverage());
        ModeSupport.Emit(sb.ToString(), output.Length > 0 ? output : null);
        return 0;
    }

    private static string Key(string model, bool retain) => model + (retain ? "+retain" : "");

    internal static InteractionDataset Generate(int f) => SyntheticDataGenerator.Generate(new SyntheticDataOptions
    {
        Users = 943 * f,
        Items = 1_682 * f,
        Interactions = 100_000 * f,
        ImageDimension = 384,
        TextDimension = 8,
        Clusters = 20,
        Seed = 100 + f,
    });

    /// <summary>The bare propagation of <paramref name="train"/> in its own order, by degree and at random.</summary>
    private static IEnumerable<string> Propagation(int f, UserItemMatrix train)
    {
        var c = CultureInfo.InvariantCulture;
        var orders = new (string Name, UserItemMatrix Graph)[]
        {
            ("as generated", train),
            ("by degree", Renumber(train, byDegree: true)),
            ("random", Renumber(train, byDegree: false)),
        };
        double edges = 2.0 * train.Count;
        double mb = (train.UserCount + train.ItemCount) * 64 * 4 / 1048576.0;
        var times = new List<double>[orders.Length];
        using var generator = new Generator(1, CPU);
        var encoders = orders.Select(o => new BehaviorEncoder(o.Graph, 64, 2, generator)).ToArray();
        // As in training: freed blocks are reused, so the timing is the propagation's, not the page faults of fresh
        // 41 MB outputs at 64× (see RetainNativeMemory).
        using var retention = NativeMemoryRetention.Enter();
        for (int k = 0; k < orders.Length; k++)
        {
            times[k] = [];
        }

        // Interleaved rounds: the orders are measured side by side.
        for (int round = 0; round < 7; round++)
        {
            for (int k = 0; k < orders.Length; k++)
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var clock = Stopwatch.StartNew();
                encoders[k].PropagateLayers(2);
                times[k].Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        for (int k = 0; k < orders.Length; k++)
        {
            encoders[k].Dispose();
            double ms = times[k].Order().ElementAt(times[k].Count / 2);
            yield return string.Create(c, $"| {f} | {edges:N0} | {mb:F1} | {orders[k].Name} | {ms:F1} | {1e6 * ms / (2 * edges):F2} |");
        }
    }

    /// <summary>The same graph with users and items renumbered: by descending degree, or at random (seed 7).</summary>
    internal static UserItemMatrix Renumber(UserItemMatrix train, bool byDegree)
    {
        var userDegree = Enumerable.Range(0, train.UserCount).Select(train.CountOf).ToArray();
        var itemDegree = train.ItemDegrees();
        int[] Order(int[] degree)
        {
            var ids = Enumerable.Range(0, degree.Length).ToArray();
            if (byDegree)
            {
                return ids.OrderByDescending(i => degree[i]).ThenBy(i => i).ToArray();
            }

            new Random(7).Shuffle(ids);
            return ids;
        }

        var userOrder = Order(userDegree);
        var itemOrder = Order(itemDegree);
        var newUser = new int[train.UserCount];
        var newItem = new int[train.ItemCount];
        for (int k = 0; k < userOrder.Length; k++)
        {
            newUser[userOrder[k]] = k;
        }

        for (int k = 0; k < itemOrder.Length; k++)
        {
            newItem[itemOrder[k]] = k;
        }

        var users = train.UserIndices().Select(u => newUser[u]).ToArray();
        var items = train.ItemIndices.ToArray().Select(i => newItem[i]).ToArray();
        return UserItemMatrix.FromPairs(train.UserCount, train.ItemCount, users, items);
    }
}
