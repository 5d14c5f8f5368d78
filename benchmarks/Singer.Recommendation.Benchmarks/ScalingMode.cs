using System.Diagnostics;
using System.Globalization;
using System.Text;
using Singer.Recommendation.Graphs;
using TorchSharp;

namespace Singer.Recommendation.Benchmarks;

/// <summary>
/// <c>scaling</c>: builds the kNN graph (CPU, default options) for growing N and prints the time and the peak memory
/// growth of each build. Time should grow as N² and memory as N (SPEC §1.1: O(B·N + N·d + N·k), never N²).
/// </summary>
/// <remarks>
/// Arguments: <c>--sizes 10000,20000,40000,60000,80000,100000</c> <c>--dim 384</c> <c>--k 10</c>
/// <c>--mm</c> (also time the bare block products into a ready buffer, the machine's GEMM rate on the same work)
/// <c>--output FILE</c>. Each build starts from a fresh process state as far as possible: a full GC, then the
/// high-water mark is reset, so the peak is this build's.
/// </remarks>
internal static class ScalingMode
{
    public static int Run(string[] args)
    {
        var sizes = ModeSupport.Ints(args, "sizes", "10000,20000,40000,60000,80000,100000");
        int dim = ModeSupport.Int(args, "dim", 384), k = ModeSupport.Int(args, "k", 10);
        bool mm = args.Contains("--mm");
        string? output = ModeSupport.Option(args, "output", "");
        var options = new KnnGraphOptions { K = k };
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(c, $"Scaling of the blocked kNN build (CPU, d = {dim}, k = {k}, default options: cosine, self excluded, {options.MemoryBudgetBytes >> 20} MiB budget)");
        sb.AppendLine("Machine: " + ModeSupport.Machine());
        sb.AppendLine();
        sb.AppendLine(mm
            ? "| N | build (s) | time / (N/10k)² (s) | GFLOP/s | bare products (s) | share of mm rate | peak RSS growth (MB) | growth per item (KB) | dense N×N would need (GB) |"
            : "| N | build (s) | time / (N/10k)² (s) | GFLOP/s | peak RSS growth (MB) | growth per item (KB) | dense N×N would need (GB) |");
        sb.AppendLine(mm ? "|---:|---:|---:|---:|---:|---:|---:|---:|---:|" : "|---:|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine(sb.ToString());

        // Warm up the JIT and the BLAS threads on a small case.
        KnnSimilarityGraph.Build(Workloads.RandomFeatures(2000, dim, seed: 1), options);
        foreach (int n in sizes)
        {
            var features = Workloads.RandomFeatures(n, dim, seed: n);
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            SparseGraph? graph = null;
            var clock = new Stopwatch();
            var (before, peak) = PeakMemory.Measure(() =>
            {
                clock.Start();
                graph = KnnSimilarityGraph.Build(features, options);
                clock.Stop();
            });
            double seconds = clock.Elapsed.TotalSeconds;
            string bare = "";
            if (mm)
            {
                int blockRows = Workloads.BudgetBlockRows(n);
                using var x = Workloads.Normalized(features, torch.CPU, torch.ScalarType.Float32);
                using var buffer = torch.zeros(blockRows, n);
                Workloads.MatMulOnly(x, buffer, Math.Min(blockRows, 64)); // touch the BLAS path once
                var t = Stopwatch.StartNew();
                Workloads.MatMulOnly(x, buffer, blockRows);
                double mmSeconds = t.Elapsed.TotalSeconds;
                bare = string.Create(c, $" {mmSeconds:F2} | {mmSeconds / seconds:P0} |");
            }

            long growth = peak - before;
            string row = string.Create(c,
                $"| {n:N0} | {seconds:F2} | {seconds / Math.Pow(n / 10_000.0, 2):F2} | {Workloads.Flops(n, dim) / seconds / 1e9:F1} |{bare} {ModeSupport.Mb(growth)} | {growth / 1024.0 / n:F1} | {4.0 * n * n / 1e9:F1} |");
            sb.AppendLine(row);
            Console.WriteLine(row + string.Create(c, $"   ({graph!.NonZeroCount:N0} edges)"));
        }

        sb.AppendLine();
        sb.AppendLine("Peak RSS growth = the process's resident high-water mark during the build minus its resident set before (Linux VmHWM after /proc/self/clear_refs); it includes the normalised feature copy (N·d·4 bytes), the block buffer (at most 1,024 rows × N × 4 bytes, within the budget) and the result (O(N·k)).");
        if (!string.IsNullOrEmpty(output))
        {
            ModeSupport.Emit(sb.ToString(), output);
        }

        return 0;
    }
}
