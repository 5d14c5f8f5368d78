using System.Diagnostics;
using System.Globalization;
using System.Text;
using Singer.Recommendation.Core;
using static Singer.Recommendation.Benchmarks.ModeSupport;

namespace Singer.Recommendation.Benchmarks;

/// <summary>
/// <c>engine-latency</c>: the serving read path. A LightGCN model over a synthetic catalogue (default 100,000 items,
/// 10,000 users with 10 training items each, 64-d) becomes a <see cref="RecommendationEngine"/> — untrained: the cost
/// of a call does not depend on the values of the representations; then, in this process:
/// the latency distribution of single <c>Recommend(user, k)</c> calls on one thread (p50, p90, p99, max), the
/// throughput of <c>RecommendBatch</c> at several batch sizes, and the throughput of single calls from several threads
/// at once. Users are drawn at random (seeded); seen items are excluded, as a service would.
/// </summary>
internal static class EngineLatencyMode
{
    public static int Run(string[] args)
    {
        int items = Int(args, "items", 100_000);
        int users = Int(args, "users", 10_000);
        int dim = Int(args, "dim", 64);
        int k = Int(args, "k", 20);
        int calls = Int(args, "calls", 20_000);
        int[] batches = Ints(args, "batches", "1,16,64,256,1024");
        int[] threadCounts = Ints(args, "threads", "1,2,4,8");
        double seconds = double.Parse(Option(args, "seconds", "5"), CultureInfo.InvariantCulture);
        string? output = Option(args, "output", "") is { Length: > 0 } o ? o : null;

        var setup = Stopwatch.StartNew();
        Console.Error.WriteLine($"Generating {users:N0} users × {items:N0} items …");
        var data = SyntheticDataGenerator.Generate(new SyntheticDataOptions { Items = items, Users = users, Interactions = users * 12, ImageDimension = 8, TextDimension = 8 });
        Console.Error.WriteLine($"{data} ({setup.Elapsed.TotalSeconds:F1} s); building the model and the engine …");
        using var model = SingerModelBuilder.LightGcn(data)
            .WithTraining(t => t.EmbeddingSize(dim))
            .WithSeed(7)
            .Build();
        using var engine = RecommendationEngine.Create(model);
        Console.Error.WriteLine($"Ready ({setup.Elapsed.TotalSeconds:F1} s); measuring …");
        double setupSeconds = setup.Elapsed.TotalSeconds;

        var random = new Random(11);
        string RandomUser() => data.Users[random.Next(data.UserCount)];

        // Warm-up: JIT, libtorch kernels, caches.
        for (int n = 0; n < Math.Min(calls, 2_000); n++)
        {
            engine.Recommend(RandomUser(), k);
        }

        // 1. Single calls on one thread.
        var latencies = new double[calls];
        for (int n = 0; n < calls; n++)
        {
            string user = RandomUser();
            long start = Stopwatch.GetTimestamp();
            engine.Recommend(user, k);
            latencies[n] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(latencies);

        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"RecommendationEngine read path (CPU), {items:N0} items × {dim}-d, {users:N0} users, k = {k}, seen items excluded");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Machine()}; load average at start: {LoadAverage()}");
        report.AppendLine(CultureInfo.InvariantCulture, $"Set-up (synthetic data, LightGCN model, engine snapshot): {setupSeconds:F1} s");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Single `Recommend(user, {k})` calls on one thread ({calls:N0} calls after {Math.Min(calls, 2_000):N0} warm-up calls):");
        report.AppendLine();
        report.AppendLine("| p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | mean (ms) |");
        report.AppendLine("|---:|---:|---:|---:|---:|");
        report.AppendLine(CultureInfo.InvariantCulture, $"| {Percentile(latencies, 0.50):F3} | {Percentile(latencies, 0.90):F3} | {Percentile(latencies, 0.99):F3} | {latencies[^1]:F3} | {latencies.Average():F3} |");
        report.AppendLine();

        // 2. Batch throughput.
        report.AppendLine(CultureInfo.InvariantCulture, $"`RecommendBatch(users, {k})` on one thread, best of 3 runs of about {seconds / 3:F1} s each:");
        report.AppendLine();
        report.AppendLine("| batch size | users/s | ms per batch |");
        report.AppendLine("|---:|---:|---:|");
        foreach (int batch in batches)
        {
            double best = 0;
            double perBatch = double.NaN;
            for (int round = 0; round < 3; round++)
            {
                var clock = Stopwatch.StartNew();
                long served = 0;
                int batchesRun = 0;
                while (clock.Elapsed.TotalSeconds < seconds / 3)
                {
                    var ids = new string[batch];
                    for (int j = 0; j < batch; j++)
                    {
                        ids[j] = RandomUser();
                    }

                    engine.RecommendBatch(ids, k);
                    served += batch;
                    batchesRun++;
                }

                double rate = served / clock.Elapsed.TotalSeconds;
                if (rate > best)
                {
                    best = rate;
                    perBatch = clock.Elapsed.TotalMilliseconds / batchesRun;
                }
            }

            report.AppendLine(CultureInfo.InvariantCulture, $"| {batch:N0} | {best:N0} | {perBatch:F2} |");
        }

        report.AppendLine();

        // 3. Single calls from several threads at once (the engine has no locks on this path).
        report.AppendLine(CultureInfo.InvariantCulture, $"Single `Recommend(user, {k})` calls from T threads at once, {seconds:F0} s each:");
        report.AppendLine();
        report.AppendLine("| threads | calls/s | p50 (ms) | p99 (ms) |");
        report.AppendLine("|---:|---:|---:|---:|");
        foreach (int threads in threadCounts)
        {
            var perThread = new List<double>[threads];
            var clock = Stopwatch.StartNew();
            var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
            {
                var own = new List<double>();
                var r = new Random(100 + t);
                while (clock.Elapsed.TotalSeconds < seconds)
                {
                    string user = data.Users[r.Next(data.UserCount)];
                    long start = Stopwatch.GetTimestamp();
                    engine.Recommend(user, k);
                    own.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }

                perThread[t] = own;
            })).ToList();
            workers.ForEach(w => w.Start());
            workers.ForEach(w => w.Join());
            double elapsed = clock.Elapsed.TotalSeconds;
            var all = perThread.SelectMany(x => x).Order().ToArray();
            report.AppendLine(CultureInfo.InvariantCulture, $"| {threads} | {all.Length / elapsed:N0} | {Percentile(all, 0.50):F3} | {Percentile(all, 0.99):F3} |");
        }

        report.AppendLine();
        // 4. The parts of a call and the share of the machine's GEMM rate, on the same snapshot, best of 20.
        var z = model.Representations();
        double gemmRate = GemmRate();
        report.AppendLine(CultureInfo.InvariantCulture, $"Parts of a call, best of 20 runs. GEMM rate of this run: {gemmRate / 1e9:F1} GFLOP/s (float32 [1024 × 384] · [384 × 8192] into a ready buffer, best of 20); \"at the GEMM rate\" is the batch's 2·B·N·d flops at that rate, and the share is that time over the whole call.");
        report.AppendLine();
        report.AppendLine("| batch | scores product (ms) | `TopK.Select` on the scores (ms) | product + `TopK.Select` (ms) | fused `BlockedTopK` (ms) | whole `RecommendBatch` (ms) | at the GEMM rate (ms) | share of the GEMM rate |");
        report.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (int batch in batches)
        {
            using var scope = TorchSharp.torch.NewDisposeScope();
            var userRows = TorchSharp.torch.randint(0, data.UserCount, [batch], dtype: TorchSharp.torch.ScalarType.Int64);
            var ids = Enumerable.Range(0, batch).Select(_ => RandomUser()).ToArray();
            var scores = z.Users.index_select(0, userRows).matmul(z.Items.t());
            var queries = z.Users.index_select(0, userRows);
            double product = Best(() => z.Users.index_select(0, userRows).matmul(z.Items.t()));
            double select = Best(() => TopK.Select(scores, k));
            double both = Best(() => TopK.Select(z.Users.index_select(0, userRows).matmul(z.Items.t()), k));
            double fused = Best(() => BlockedTopK.Select(queries, z.Items, k));
            double whole = Best(() => engine.RecommendBatch(ids, k));
            double atRate = 2.0 * batch * items * dim / gemmRate * 1e3;
            report.AppendLine(CultureInfo.InvariantCulture, $"| {batch:N0} | {product:F3} | {select:F3} | {both:F3} | {fused:F3} | {whole:F3} | {atRate:F3} | {atRate / whole:P0} |");
        }

        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Peak working set: {Mb(Process.GetCurrentProcess().PeakWorkingSet64)} MB; load average at the end: {LoadAverage()}");
        Emit(report.ToString(), output);
        return 0;
    }

    /// <summary>The best of 20 runs of an action, in milliseconds, each in its own dispose scope.</summary>
    internal static double Best(Action action, int runs = 20)
    {
        double best = double.MaxValue;
        for (int r = 0; r < runs; r++)
        {
            using var inner = TorchSharp.torch.NewDisposeScope();
            long start = Stopwatch.GetTimestamp();
            action();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return best;
    }

    /// <summary>The machine's float32 matrix-multiply rate now (FLOP/s): a compute-bound product into a ready buffer, best of 20.</summary>
    internal static double GemmRate()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var a = TorchSharp.torch.randn(1024, 384);
        var b = TorchSharp.torch.randn(8192, 384);
        var c = TorchSharp.torch.empty(1024, 8192);
        var bt = b.t();
        double ms = Best(() => c.addmm_(a, bt, beta: 0f, alpha: 1f));
        return 2.0 * 1024 * 8192 * 384 / (ms / 1e3);
    }

    /// <summary>The nearest-rank percentile <paramref name="p"/> (0 &lt; p ≤ 1) of ascending values.</summary>
    private static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
