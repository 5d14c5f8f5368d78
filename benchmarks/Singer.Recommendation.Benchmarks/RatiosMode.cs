using System.Diagnostics;
using System.Globalization;
using System.Text;
using Singer.Recommendation.Graphs;
using TorchSharp;

namespace Singer.Recommendation.Benchmarks;

/// <summary>
/// <c>knn-ratios</c>: the CPU methods of <see cref="SimilarityBenchmarks"/> run round-robin — bare products (the
/// machine's GEMM rate on this work), the blocked builder, the plain "product + topk" loop, the dense way — and the
/// best of <c>--repeat</c> rounds of each is compared. Interleaving puts every method under the same background load,
/// and the best round is the least disturbed, so the ratios hold on a shared machine.
/// </summary>
/// <remarks>Arguments: <c>--sizes 2000,10000,20000</c> <c>--dims 384,4096</c> <c>--k 10</c> <c>--repeat 5</c> <c>--output FILE</c>.</remarks>
internal static class RatiosMode
{
    public static int Run(string[] args)
    {
        var sizes = ModeSupport.Ints(args, "sizes", "2000,10000,20000");
        var dims = ModeSupport.Ints(args, "dims", "384,4096");
        int k = ModeSupport.Int(args, "k", 10), repeat = ModeSupport.Int(args, "repeat", 5);
        string output = ModeSupport.Option(args, "output", "");
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(c, $"kNN on the CPU, methods interleaved, best of {repeat} rounds (k = {k}, cosine, self excluded)");
        sb.AppendLine();
        sb.AppendLine("Machine: " + ModeSupport.Machine() + "; load average at start: " + ModeSupport.LoadAverage());
        sb.AppendLine();
        sb.AppendLine("Wall time, best round:");
        sb.AppendLine();
        sb.AppendLine("| N | d | bare products (s) | GEMM GFLOP/s | blocked builder (s) | share of GEMM rate | product + topk loop (s) | dense N×N + topk (s) | blocked vs dense |");
        sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var cpuRows = new List<string>();
        Console.WriteLine(sb.ToString());
        foreach (int d in dims)
        {
            foreach (int n in sizes)
            {
                var features = Workloads.RandomFeatures(n, d);
                int mmRows = Workloads.BudgetBlockRows(n);
                using var x = Workloads.Normalized(features, torch.CPU, torch.ScalarType.Float32);
                using var buffer = torch.zeros(mmRows, n);
                bool dense = Workloads.DenseFits(n);
                var methods = new List<(string Name, Action Run)>
                {
                    ("mm", () => Workloads.MatMulOnly(x, buffer, mmRows)),
                    ("blocked", () => KnnSimilarityGraph.Build(features, new KnnGraphOptions { K = k })),
                    ("loop", () => Workloads.TorchTopKLoop(features, k, Workloads.CpuBuilderBlockRows(n), torch.CPU, torch.ScalarType.Float32)),
                };
                if (dense)
                {
                    methods.Add(("dense", () => Workloads.NaiveDense(features, k, torch.CPU, torch.ScalarType.Float32)));
                }

                var best = methods.ToDictionary(m => m.Name, _ => double.MaxValue);
                var bestCpu = methods.ToDictionary(m => m.Name, _ => double.MaxValue);
                foreach (var m in methods)
                {
                    m.Run(); // warm-up
                }

                for (int r = 0; r < repeat; r++)
                {
                    foreach (var m in methods)
                    {
                        GC.Collect();
                        var cpu = PeakMemory.CpuSeconds();
                        var t = Stopwatch.StartNew();
                        m.Run();
                        best[m.Name] = Math.Min(best[m.Name], t.Elapsed.TotalSeconds);
                        bestCpu[m.Name] = Math.Min(bestCpu[m.Name], PeakMemory.CpuSeconds() - cpu);
                    }
                }

                string denseText = dense ? best["dense"].ToString("F3", c) : "does not fit";
                string versus = dense ? (best["dense"] / best["blocked"]).ToString("F2", c) + "× faster" : "-";
                string row = string.Create(c,
                    $"| {n:N0} | {d:N0} | {best["mm"]:F3} | {Workloads.Flops(n, d) / best["mm"] / 1e9:F1} | {best["blocked"]:F3} | {best["mm"] / best["blocked"]:P0} | {best["loop"]:F3} | {denseText} | {versus} |");
                sb.AppendLine(row);
                Console.WriteLine(row);
                string denseCpu = dense ? bestCpu["dense"].ToString("F3", c) : "does not fit";
                string versusCpu = dense ? (bestCpu["dense"] / bestCpu["blocked"]).ToString("F2", c) + "× less" : "-";
                string cpuRow = string.Create(c,
                    $"| {n:N0} | {d:N0} | {bestCpu["mm"]:F3} | {bestCpu["blocked"]:F3} | {bestCpu["mm"] / bestCpu["blocked"]:P0} | {bestCpu["loop"]:F3} | {denseCpu} | {versusCpu} |");
                cpuRows.Add(cpuRow);
                Console.WriteLine("   CPU time: " + cpuRow);
            }
        }

        sb.AppendLine();
        sb.AppendLine("Process CPU time (user + system, all threads), best round:");
        sb.AppendLine();
        sb.AppendLine("| N | d | bare products (s) | blocked builder (s) | share of GEMM work rate | product + topk loop (s) | dense N×N + topk (s) | blocked vs dense |");
        sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (string cpuRow in cpuRows)
        {
            sb.AppendLine(cpuRow);
        }

        sb.AppendLine();
        sb.AppendLine("Load average at the end: " + ModeSupport.LoadAverage() + " (2 cores; other processes share the machine); OMP_WAIT_POLICY="
            + (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "unset") + ".");
        if (!string.IsNullOrEmpty(output))
        {
            ModeSupport.Emit(sb.ToString(), output);
        }

        return 0;
    }
}
