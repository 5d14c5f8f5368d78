using System.Diagnostics;
using System.Globalization;
using System.Text;
using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;
using TorchSharp;
using static TorchSharp.torch;

namespace Singer.Recommendation.Benchmarks;

/// <summary>
/// <c>cuda-knn</c>: on a CUDA device, the blocked kNN builder next to the plain "product + topk" loop and the bare
/// products (the matrix-multiply floor), all in the same process, each timed <c>--repeat</c> times after a warm-up.
/// </summary>
/// <remarks>
/// Arguments: <c>--n 200000</c> <c>--dim 384</c> <c>--k 10</c> <c>--repeat 3</c> <c>--block 4096</c> (rows per block for
/// every method) <c>--check-n 20000</c> (then compare the CUDA builds with the CPU build at this size; 0 skips) <c>--output FILE</c> (default <c>$OUT/cuda-knn.md</c> when OUT is set). Every method starts from the
/// features in host memory (upload and normalisation included), as a caller of the library does.
/// </remarks>
internal static class CudaKnnMode
{
    public static int Run(string[] args)
    {
        int n = ModeSupport.Int(args, "n", 200_000), dim = ModeSupport.Int(args, "dim", 384), k = ModeSupport.Int(args, "k", 10);
        int repeat = ModeSupport.Int(args, "repeat", 3), block = ModeSupport.Int(args, "block", 4096);
        string? outDir = Environment.GetEnvironmentVariable("OUT");
        string output = ModeSupport.Option(args, "output", string.IsNullOrEmpty(outDir) ? "" : Path.Combine(outDir, "cuda-knn.md"));
        var device = ComputeDevice.Parse(ModeSupport.Option(args, "device", "cuda")).Initialize();
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(c, $"CUDA kNN: N = {n:N0}, d = {dim}, k = {k}, {block} rows per block, best and median of {repeat} after one warm-up");
        sb.AppendLine("Machine: " + ModeSupport.Machine() + $"; device {device}" + (device.IsCuda ? $", {cuda.device_count()} CUDA device(s)" : " (dry run: CPU)"));
        sb.AppendLine();
        sb.AppendLine("| method | best (ms) | median (ms) | notes |");
        sb.AppendLine("|---|---:|---:|---|");
        Console.WriteLine(sb.ToString());

        var features = Workloads.RandomFeatures(n, dim);
        var results = new Dictionary<string, SparseGraph>();

        void Time(string name, Func<SparseGraph?> run, Func<string>? notes = null)
        {
            run(); // warm-up (cuBLAS handles, kernels, allocator)
            Synchronize(device);
            var times = new List<double>();
            SparseGraph? last = null;
            for (int r = 0; r < repeat; r++)
            {
                var t = Stopwatch.StartNew();
                last = run();
                Synchronize(device);
                times.Add(t.Elapsed.TotalMilliseconds);
            }

            times.Sort();
            if (last is not null)
            {
                results[name] = last;
            }

            string row = string.Create(c, $"| {name} | {times[0]:F0} | {times[times.Count / 2]:F0} | {notes?.Invoke() ?? ""} |");
            sb.AppendLine(row);
            Console.WriteLine(row);
        }

        // The floor: the bare products in bfloat16 and float32 (features already on the device).
        foreach (var type in device.IsCuda ? new[] { ScalarType.BFloat16, ScalarType.Float32 } : [ScalarType.Float32])
        {
            using var x = Workloads.Normalized(features, device, type);
            using var buffer = empty(block, n, type, device);
            Time($"bare products {type}", () =>
            {
                Workloads.MatMulOnly(x, buffer, block);
                return null;
            }, () => string.Create(c, $"{Workloads.Flops(n, dim) / 1e12:F1} TFLOP; features already normalised on the device"));
        }

        Time("plain loop: product + topk, bfloat16", () => Workloads.TorchTopKLoop(features, k, block, device, ScalarType.BFloat16),
            () => "upload + normalise + per block mm + topk(k) → host");
        Time("plain loop: product + topk, float32", () => Workloads.TorchTopKLoop(features, k, block, device, ScalarType.Float32));

        var precisions = device.IsCuda ? new[] { KnnPrecision.BFloat16, KnnPrecision.Float16, KnnPrecision.Float32 } : [KnnPrecision.Float32];
        foreach (var precision in precisions)
        {
            var logger = new CapturingLogger(echo: false);
            var options = new KnnGraphOptions { K = k, Precision = precision, BlockRows = block };
            Time($"blocked builder, {precision}", () => KnnSimilarityGraph.Build(features, options, device, logger: logger),
                () => logger.Messages.LastOrDefault(m => m.Contains("built in", StringComparison.Ordinal)) ?? "");
        }

        sb.AppendLine();
        var reference = results["blocked builder, Float32"];
        foreach (var (name, graph) in results.Where(p => p.Key != "blocked builder, Float32"))
        {
            var difference = SparseGraph.Compare(reference, graph, 1e-3f);
            sb.AppendLine(c, $"- {name} vs blocked builder Float32: {difference.MissingEntries:N0} of {reference.NonZeroCount:N0} neighbours differ, {difference.ValueMismatches:N0} weights off by > 1e-3");
        }

        // Agreement with the CPU build on a smaller catalogue (the tests cannot run on a machine without the SDK).
        int checkN = ModeSupport.Int(args, "check-n", 20_000);
        if (device.IsCuda && checkN > 0)
        {
            var small = Workloads.RandomFeatures(checkN, dim, seed: 7, name: "check");
            var cpuGraph = KnnSimilarityGraph.Build(small, new KnnGraphOptions { K = k });
            sb.AppendLine();
            sb.AppendLine(c, $"Agreement with the CPU build (N = {checkN:N0}, d = {dim}, k = {k}):");
            foreach (var precision in new[] { KnnPrecision.Float32, KnnPrecision.BFloat16, KnnPrecision.Float16 })
            {
                var logger = new CapturingLogger(echo: false);
                var g = KnnSimilarityGraph.Build(small, new KnnGraphOptions { K = k, Precision = precision }, device, logger: logger);
                var difference = SparseGraph.Compare(cpuGraph, g, 1e-5f);
                sb.AppendLine(c,
                    $"- CUDA {precision}: {difference.MissingEntries:N0} of {cpuGraph.NonZeroCount:N0} neighbours differ, {difference.ValueMismatches:N0} weights off by > 1e-5 (max {difference.MaxAbsoluteDifference:G3}); {logger.Messages.LastOrDefault(m => m.Contains("built in", StringComparison.Ordinal))}");
            }
        }

        ModeSupport.Emit(sb.ToString(), output);
        return 0;
    }

    private static void Synchronize(ComputeDevice device)
    {
        if (device.IsCuda)
        {
            cuda.synchronize();
        }
    }
}
