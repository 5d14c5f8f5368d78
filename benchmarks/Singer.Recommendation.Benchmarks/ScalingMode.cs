using System.Diagnostics;
using System.Globalization;
using System.Text;
using Singer.Recommendation.Graphs;
using TorchSharp;

namespace Singer.Recommendation.Benchmarks;

/// <summary>
/// <c>scaling</c>: builds the kNN graph (CPU, default options) for growing N, each in a fresh child process, and
/// prints the time and the peak memory of each build. Time should grow as N² and memory as N
/// (SPEC §1.1: O(B·N + N·d + N·k), never N²).
/// </summary>
/// <remarks>
/// Arguments: <c>--sizes 10000,20000,40000,60000,80000,100000</c> <c>--dim 384</c> <c>--k 10</c>
/// <c>--mm</c> (also measure the bare block products into a ready buffer, the machine's GEMM work on the same N)
/// <c>--output FILE</c>. A child process (mode <c>scaling-one</c>) generates the features, warms up on a small case,
/// then measures one build: its time, the resident set before it and the high-water mark during it.
/// </remarks>
internal static class ScalingMode
{
    public static int Run(string[] args)
    {
        var sizes = ModeSupport.Ints(args, "sizes", "10000,20000,40000,60000,80000,100000");
        int dim = ModeSupport.Int(args, "dim", 384), k = ModeSupport.Int(args, "k", 10);
        bool mm = args.Contains("--mm");
        string output = ModeSupport.Option(args, "output", "");
        var options = new KnnGraphOptions { K = k };
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(c, $"Scaling of the blocked kNN build (CPU, d = {dim}, k = {k}, default options: cosine, self excluded, {options.MemoryBudgetBytes >> 20} MiB budget), one process per N");
        sb.AppendLine("Machine: " + ModeSupport.Machine() + "; load average at start: " + ModeSupport.LoadAverage());
        sb.AppendLine();
        sb.AppendLine(mm
            ? "| N | build (s) | build CPU (s) | CPU / (N/10k)² (s) | bare products CPU (s) | share of mm work rate (CPU) | peak RSS (MB) | growth during build (MB) | growth per item (KB) | dense N×N would need (GB) |"
            : "| N | build (s) | build CPU (s) | CPU / (N/10k)² (s) | peak RSS (MB) | growth during build (MB) | growth per item (KB) | dense N×N would need (GB) |");
        sb.AppendLine(mm ? "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|" : "|---:|---:|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine(sb.ToString());
        foreach (int n in sizes)
        {
            var result = RunChild(n, dim, k, mm);
            if (result is null)
            {
                sb.AppendLine(c, $"| {n:N0} | failed | | | | | | |");
                continue;
            }

            var (seconds, cpu, before, peak, mmCpu) = result.Value;
            long growth = peak - before;
            string bare = mm ? string.Create(c, $" {mmCpu:F2} | {mmCpu / cpu:P0} |") : "";
            string row = string.Create(c,
                $"| {n:N0} | {seconds:F2} | {cpu:F2} | {cpu / Math.Pow(n / 10_000.0, 2):F2} |{bare} {ModeSupport.Mb(peak)} | {ModeSupport.Mb(growth)} | {growth / 1024.0 / n:F1} | {4.0 * n * n / 1e9:F1} |");
            sb.AppendLine(row);
            Console.WriteLine(row);
        }

        sb.AppendLine();
        sb.AppendLine("Load average at the end: " + ModeSupport.LoadAverage() + ".");
        sb.AppendLine("CPU = process CPU time (user + system, all threads), which other processes on a shared machine disturb far less than wall time; OMP_WAIT_POLICY=" + (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "unset") + ".");
        sb.AppendLine("Growth during build = the process's resident high-water mark during the build (Linux VmHWM after /proc/self/clear_refs) minus its resident set just before (runtime, libtorch and the N × d features already loaded). It holds the normalised feature copy (N·d·4 bytes), the block buffer (at most max(1,024 rows, 64 MiB) and within the 256 MiB budget) and the result (O(N·k)).");
        if (!string.IsNullOrEmpty(output))
        {
            ModeSupport.Emit(sb.ToString(), output);
        }

        return 0;
    }

    /// <summary><c>scaling-one</c>: one measured build, printed as a RESULT line for the parent.</summary>
    public static int RunOne(string[] args)
    {
        int n = ModeSupport.Int(args, "n", 10_000), dim = ModeSupport.Int(args, "dim", 384), k = ModeSupport.Int(args, "k", 10);
        var options = new KnnGraphOptions { K = k };
        KnnSimilarityGraph.Build(Workloads.RandomFeatures(2000, dim, seed: 1), options); // JIT, BLAS threads
        var features = Workloads.RandomFeatures(n, dim, seed: n);
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        SparseGraph? graph = null;
        var clock = new Stopwatch();
        double cpu = 0;
        var (before, peak) = PeakMemory.Measure(() =>
        {
            double start = PeakMemory.CpuSeconds();
            clock.Start();
            graph = KnnSimilarityGraph.Build(features, options);
            clock.Stop();
            cpu = PeakMemory.CpuSeconds() - start;
        });
        double mmCpu = 0;
        if (args.Contains("--mm"))
        {
            int blockRows = Workloads.BudgetBlockRows(n);
            using var x = Workloads.Normalized(features, torch.CPU, torch.ScalarType.Float32);
            using var buffer = torch.zeros(blockRows, n);
            Workloads.MatMulOnly(x, buffer, Math.Min(blockRows, 64)); // touch the BLAS path once
            double start = PeakMemory.CpuSeconds();
            Workloads.MatMulOnly(x, buffer, blockRows);
            mmCpu = PeakMemory.CpuSeconds() - start;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT {clock.Elapsed.TotalSeconds:R} {cpu:R} {before} {peak} {mmCpu:R} {graph!.NonZeroCount}"));
        return 0;
    }

    private static (double Seconds, double Cpu, long Before, long Peak, double MmCpu)? RunChild(int n, int dim, int k, bool mm)
    {
        string self = typeof(Program).Assembly.Location;
        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        if (self.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && !Path.GetFileNameWithoutExtension(Environment.ProcessPath ?? "").Equals(Path.GetFileNameWithoutExtension(self), StringComparison.Ordinal))
        {
            start.ArgumentList.Add(self);
        }

        foreach (string a in new[] { "scaling-one", "--n", n.ToString(CultureInfo.InvariantCulture), "--dim", dim.ToString(CultureInfo.InvariantCulture), "--k", k.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(a);
        }

        if (mm)
        {
            start.ArgumentList.Add("--mm");
        }

        using var process = Process.Start(start)!;
        string text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null)
        {
            Console.Error.WriteLine($"scaling-one for N = {n} failed (exit {process.ExitCode}):\n{text}");
            return null;
        }

        var p = line.Split(' ');
        var c = CultureInfo.InvariantCulture;
        return (double.Parse(p[1], c), double.Parse(p[2], c), long.Parse(p[3], c), long.Parse(p[4], c), double.Parse(p[5], c));
    }
}
