using System.Diagnostics;
using System.Globalization;
using System.Text;
using Singer.Recommendation.Core;
using Singer.Recommendation.Serving;
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
        int[] batchThreads = Ints(args, "batch-threads", "1,2").Where(t => t >= 1 && t <= Environment.ProcessorCount).DefaultIfEmpty(1).ToArray();
        int startThreads = TorchSharp.torch.get_num_threads();
        double seconds = double.Parse(Option(args, "seconds", "5"), CultureInfo.InvariantCulture);
        string? output = Option(args, "output", "") is { Length: > 0 } o ? o : null;

        string modelPath = Option(args, "model", "");
        var setup = Stopwatch.StartNew();
        SingerModel model;
        if (modelPath.Length > 0)
        {
            Console.Error.WriteLine($"Loading {modelPath} …");
            model = SingerModel.Load(modelPath);
            items = model.Dataset.ItemCount;
            users = model.Dataset.UserCount;
            dim = (int)model.Representations().Items.shape[1];
        }
        else
        {
            Console.Error.WriteLine($"Generating {users:N0} users × {items:N0} items …");
            var generated = SyntheticDataGenerator.Generate(new SyntheticDataOptions { Items = items, Users = users, Interactions = users * 12, ImageDimension = 8, TextDimension = 8 });
            Console.Error.WriteLine($"{generated} ({setup.Elapsed.TotalSeconds:F1} s); building the model and the engine …");
            model = SingerModelBuilder.LightGcn(generated)
                .WithTraining(t => t.EmbeddingSize(dim))
                .WithSeed(7)
                .Build();
        }

        using var ownedModel = model;
        var data = model.Dataset;
        using var engine = RecommendationEngine.Create(model);
        using var exactEngine = RecommendationEngine.Create(model, new RecommendationEngineOptions { Precision = RecommendPrecision.Exact });
        Console.Error.WriteLine($"Ready ({setup.Elapsed.TotalSeconds:F1} s); measuring …");
        double setupSeconds = setup.Elapsed.TotalSeconds;

        var random = new Random(11);
        string RandomUser() => data.Users[random.Next(data.UserCount)];

        // Warm-up: JIT, libtorch kernels, caches.
        for (int n = 0; n < Math.Min(calls, 2_000); n++)
        {
            string user = RandomUser();
            engine.Recommend(user, k);
            exactEngine.Recommend(user, k);
        }

        var report = new StringBuilder();
        string source = modelPath.Length > 0 ? $"the trained model {Path.GetFileName(modelPath)} ({model.Name})" : "a synthetic catalogue (untrained LightGCN)";
        report.AppendLine(CultureInfo.InvariantCulture, $"RecommendationEngine read path (CPU), {source}: {items:N0} items × {dim}-d, {users:N0} users, k = {k}, seen items excluded");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Machine()}; load average at start: {LoadAverage()}");
        report.AppendLine(CultureInfo.InvariantCulture, $"Set-up (data, model, two engine snapshots): {setupSeconds:F1} s");
        var z = model.Representations();
        long floatBytes = z.Items.numel() * sizeof(float);
        long int8Bytes = Int8Items.Build(Floats(z.Items), items, dim).Bytes;
        report.AppendLine(CultureInfo.InvariantCulture, $"Snapshot memory: item matrix float32 {floatBytes / 1048576.0:F1} MB, int8 copy with scales {int8Bytes / 1048576.0:F1} MB ({(double)int8Bytes / floatBytes:P0} of it; kept besides the float32 matrix, which re-scores and serves `Exact`), user matrix {z.Users.numel() * sizeof(float) / 1048576.0:F1} MB; AVX-VNNI: {Int8Items.IsAccelerated}");
        report.AppendLine();

        // 1. Single calls on one thread, both precisions, the same users in the same order.
        var userSequence = Enumerable.Range(0, calls).Select(_ => RandomUser()).ToArray();
        report.AppendLine(CultureInfo.InvariantCulture, $"Single `Recommend(user, {k})` calls on one thread ({calls:N0} calls after {Math.Min(calls, 2_000):N0} warm-up calls per engine):");
        report.AppendLine();
        report.AppendLine("| precision | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | mean (ms) |");
        report.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (name, e) in new[] { ("`Int8Rescored` (default)", engine), ("`Exact`", exactEngine) })
        {
            var latencies = new double[calls];
            for (int n = 0; n < calls; n++)
            {
                long start = Stopwatch.GetTimestamp();
                e.Recommend(userSequence[n], k);
                latencies[n] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }

            Array.Sort(latencies);
            report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {Percentile(latencies, 0.50):F3} | {Percentile(latencies, 0.90):F3} | {Percentile(latencies, 0.99):F3} | {latencies[^1]:F3} | {latencies.Average():F3} |");
        }

        report.AppendLine();

        // Equality with the exact scan, over every user (at most 20,000).
        int checkedUsers = Math.Min(data.UserCount, 20_000), identical = 0;
        double maxDifference = 0;
        for (int u = 0; u < checkedUsers; u++)
        {
            var a = engine.Recommend(data.Users[u], k);
            var b = exactEngine.Recommend(data.Users[u], k);
            if (a.Select(x => x.ItemIndex).SequenceEqual(b.Select(x => x.ItemIndex)))
            {
                identical++;
            }

            foreach (var (x, y) in a.Zip(b))
            {
                maxDifference = Math.Max(maxDifference, Math.Abs(x.Score - y.Score));
            }
        }

        report.AppendLine(CultureInfo.InvariantCulture, $"Lists identical to `Exact`: {identical:N0} of {checkedUsers:N0} users ({(double)identical / checkedUsers:P3}); largest score difference {maxDifference:G3} (float32 summation order).");
        report.AppendLine();

        // Fold-in agreement: each (sampled) training user folded in anonymously from their training items, against the
        // trained engine's list for them; and the fold-in latency.
        int foldUsers = Math.Min(data.UserCount, 2_000);
        double overlap = 0, exactLists = 0;
        var foldLatency = new double[foldUsers];
        for (int u = 0; u < foldUsers; u++)
        {
            var history = data.Train.ItemsOf(u).ToArray().Select(i => data.Items[i]).ToArray();
            var trained = engine.Recommend(data.Users[u], k).Select(r => r.ItemIndex).ToArray();
            long start = Stopwatch.GetTimestamp();
            var folded = engine.Recommend(history, k).Select(r => r.ItemIndex).ToArray();
            foldLatency[u] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            overlap += folded.Intersect(trained).Count() / (double)Math.Max(1, trained.Length);
            exactLists += folded.SequenceEqual(trained) ? 1 : 0;
        }

        Array.Sort(foldLatency);
        report.AppendLine(CultureInfo.InvariantCulture, $"Fold-in (`Recommend(recentItemIds, {k})`) of {foldUsers:N0} training users from their training items, anonymously (ID embedding estimated): mean top-{k} overlap with the trained engine's list {overlap / foldUsers:P1}, identical lists {exactLists / foldUsers:P1}; latency p50 {Percentile(foldLatency, 0.5):F3} ms, p99 {Percentile(foldLatency, 0.99):F3} ms (first call builds the fold-in basis).");
        report.AppendLine();

        // Candidate count: what is re-scored and how long the selection takes (the int8 index alone, no engine).
        var index = Int8Items.Build(Floats(z.Items), items, dim);
        var userFloats = Floats(z.Users).ToArray();
        var itemFloats = z.Items.contiguous();
        report.AppendLine("The int8 selection alone for several candidate counts C (the same users; re-scored = C plus the items the bound could not rule out):");
        report.AppendLine();
        report.AppendLine("| C | mean re-scored | mean beyond C | p50 (ms) | p99 (ms) |");
        report.AppendLine("|---:|---:|---:|---:|---:|");
        foreach (int c in new[] { k, 2 * k, Math.Max(2 * k, k + 32), 4 * k, 16 * k }.Distinct())
        {
            int sample = Math.Min(calls, 5_000);
            var lat = new double[sample];
            long rescoredTotal = 0;
            for (int n = 0; n < sample; n++)
            {
                int u = data.Users.TryGetIndex(userSequence[n], out int ui) ? ui : 0;
                long start = Stopwatch.GetTimestamp();
                index.Select(userFloats.AsSpan(u * dim, dim), Floats(itemFloats), k, c, data.Train.ItemsOf(u), out int rescored);
                lat[n] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                rescoredTotal += rescored;
            }

            Array.Sort(lat);
            double mean = (double)rescoredTotal / sample;
            report.AppendLine(CultureInfo.InvariantCulture, $"| {c} | {mean:F1} | {mean - Math.Min(c, items):F1} | {Percentile(lat, 0.5):F3} | {Percentile(lat, 0.99):F3} |");
        }

        report.AppendLine();

        // Batches by block: how many users the kept scores could not certify (served by the single-call scan).
        {
            int c = Math.Max(2 * k, k + 32), fallbacks = 0, served = 0;
            var all = Enumerable.Range(0, Math.Min(data.UserCount, 20_000)).ToArray();
            for (int start = 0; start < all.Length; start += 64)
            {
                var rows = all.AsSpan(start, Math.Min(64, all.Length - start));
                index.SelectBatch(userFloats, rows, Floats(itemFloats), k, c, data.Train, out int f);
                fallbacks += f;
                served += rows.Length;
            }

            report.AppendLine(CultureInfo.InvariantCulture, $"Batches by block (`RecommendBatch` with `Int8Rescored`, batches of 64, C = {c}): {fallbacks:N0} of {served:N0} users ({(double)fallbacks / served:P2}) could not be certified from the kept 2·C approximate scores and were served by the single-call scan.");
            report.AppendLine();
        }

        // 2. Batch throughput, both precisions, with the batch spread over T libtorch intra-op threads.
        report.AppendLine(CultureInfo.InvariantCulture, $"`RecommendBatch(users, {k})`, best of 3 runs of about {seconds / 3:F1} s each, with T libtorch intra-op threads (the default engine splits a batch's users over them; the exact engine's products use them):");
        report.AppendLine();
        report.AppendLine("| batch size | T | users/s, `Int8Rescored` (default) | ms per batch | users/s, `Exact` | ms per batch |");
        report.AppendLine("|---:|---:|---:|---:|---:|---:|");
        foreach (int batch in batches)
        {
            foreach (int t in batchThreads)
            {
                TorchSharp.torch.set_num_threads(t);
                var (fastRate, fastMs) = Throughput(engine, batch);
                var (exactRate, exactMs) = Throughput(exactEngine, batch);
                report.AppendLine(CultureInfo.InvariantCulture, $"| {batch:N0} | {t} | {fastRate:N0} | {fastMs:F2} | {exactRate:N0} | {exactMs:F2} |");
            }
        }

        TorchSharp.torch.set_num_threads(startThreads);
        report.AppendLine();

        (double Rate, double MsPerBatch) Throughput(RecommendationEngine e, int batch)
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

                    e.RecommendBatch(ids, k);
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

            return (best, perBatch);
        }

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
        // 4. The parts of a call and the share of the machine's GEMM rate at the same thread count, on the same
        // snapshot, best of 20 (of fewer when 20 would take over 5 s). The previous way (whole product, then
        // TopK.Select) is timed at the first thread count only.
        report.AppendLine("Parts of a call, best of 20 runs (fewer for parts over 0.25 s). For each libtorch thread count T the GEMM rate is measured first, with T threads (float32 [1024 × 384] · [384 × 8192] into a ready buffer, best of 20); \"at the GEMM rate\" is the batch's 2·B·N·d flops at that rate, and a share is that time over the whole call.");
        report.AppendLine();
        report.AppendLine("| batch | T | GEMM rate (GFLOP/s) | scores product (ms) | `TopK.Select` on the scores (ms) | product + `TopK.Select` (ms) | fused `BlockedTopK` (ms) | whole `RecommendBatch`, `Exact` (ms) | whole `RecommendBatch`, `Int8Rescored` (ms) | at the GEMM rate (ms) | share, `Exact` | **share, `Int8Rescored`** |");
        report.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (int t in batchThreads)
        {
            TorchSharp.torch.set_num_threads(t);
            double gemmRate = GemmRate();
            foreach (int batch in batches)
            {
                using var scope = TorchSharp.torch.NewDisposeScope();
                var userRows = TorchSharp.torch.randint(0, data.UserCount, [batch], dtype: TorchSharp.torch.ScalarType.Int64);
                var ids = Enumerable.Range(0, batch).Select(_ => RandomUser()).ToArray();
                var queries = z.Users.index_select(0, userRows);
                double product = Best(() => z.Users.index_select(0, userRows).matmul(z.Items.t()));
                string select = "—", both = "—";
                if (t == batchThreads[0])
                {
                    var scores = z.Users.index_select(0, userRows).matmul(z.Items.t());
                    select = Best(() => TopK.Select(scores, k)).ToString("F3", CultureInfo.InvariantCulture);
                    both = Best(() => TopK.Select(z.Users.index_select(0, userRows).matmul(z.Items.t()), k)).ToString("F3", CultureInfo.InvariantCulture);
                }

                double fused = Best(() => BlockedTopK.Select(queries, z.Items, k));
                double wholeExact = Best(() => exactEngine.RecommendBatch(ids, k));
                double wholeFast = Best(() => engine.RecommendBatch(ids, k));
                double atRate = 2.0 * batch * items * dim / gemmRate * 1e3;
                report.AppendLine(CultureInfo.InvariantCulture, $"| {batch:N0} | {t} | {gemmRate / 1e9:F1} | {product:F3} | {select} | {both} | {fused:F3} | {wholeExact:F3} | {wholeFast:F3} | {atRate:F3} | {atRate / wholeExact:P0} | **{atRate / wholeFast:P0}** |");
            }
        }

        TorchSharp.torch.set_num_threads(startThreads);
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Peak working set: {Mb(Process.GetCurrentProcess().PeakWorkingSet64)} MB; load average at the end: {LoadAverage()}");
        Emit(report.ToString(), output);
        return 0;
    }

    private static ReadOnlySpan<float> Floats(TorchSharp.torch.Tensor t) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.bytes);

    /// <summary>The best of 20 runs of an action (of 5 when a run takes over 0.25 s), in milliseconds, each in its own dispose scope.</summary>
    internal static double Best(Action action, int runs = 20)
    {
        double best = double.MaxValue;
        for (int r = 0; r < runs; r++)
        {
            if (r >= 5 && best > 250)
            {
                break;
            }

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
