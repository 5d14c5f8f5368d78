using BenchmarkDotNet.Running;

namespace Singer.Recommendation.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release -- &lt;mode&gt; [args]</c> runs a console measurement mode; anything else goes to
/// BenchmarkDotNet's switcher (<c>--filter '*Similarity*'</c>, <c>--list flat</c>, <c>--artifacts DIR</c>, …; <c>--inProcess</c> runs
/// in this process with a 3-hour limit per benchmark, which a machine without the .NET SDK needs).
/// Add a mode by adding one line to <see cref="Modes"/>.
/// </summary>
public static class Program
{
    /// <summary>The console modes, by name.</summary>
    public static IReadOnlyDictionary<string, ConsoleMode> Modes { get; } = new Dictionary<string, ConsoleMode>(StringComparer.OrdinalIgnoreCase)
    {
        ["scaling"] = new("Time and peak memory of the blocked kNN build for N = 10k … 100k (CPU, d = 384), one process per N.", ScalingMode.Run),
        ["scaling-one"] = new("(used by 'scaling') one measured build in this process, printed as a RESULT line.", ScalingMode.RunOne),
        ["knn-ratios"] = new("CPU kNN methods interleaved, best of R rounds: share of the GEMM rate and speed-up over the dense way.", RatiosMode.Run),
        ["engine-latency"] = new("RecommendationEngine: Recommend(user, 20) p50/p99 over 100k items × 64-d, batch and multi-thread throughput.", EngineLatencyMode.Run),
        ["topk-tiles"] = new("(experiment) the fused top-k kernel for several tile widths against the bare tiled products.", TileMode.Run),
        ["export"] = new("All-users Parquet export: 100k users × 100k items × 64-d, k = 100: throughput, file size, peak memory.", ExportMode.Run),
        ["growth"] = new("Training cost as the data grows: 1×, 4×, 16×, 64× ml100k; semantic graph build, epoch, evaluation, peak memory; exponents and a log-log plot.", GrowthMode.Run),
        ["growth-plot"] = new("(used after 'growth') redraws the log-log plot from saved tables: --input A.md[,B.md] --plot FILE.png.", GrowthMode.Replot),
        ["growth-steps"] = new("Where a training step's time goes as the data grows: per-part ms per step at 1×, 4×, 16× … ml100k; --spmm adds the bare propagation by id order.", GrowthStepsMode.Run),
        ["growth-one"] = new("(used by 'growth') one data set and model in this process, printed as a RESULT line.", GrowthMode.RunOne),
        ["cuda-knn"] = new("CUDA: the blocked kNN builder next to the plain 'product + topk' loop (N = 200k, d = 384, k = 10).", CudaKnnMode.Run),
    };

    /// <summary>Runs a console mode or the BenchmarkDotNet switcher.</summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && Modes.TryGetValue(args[0], out var mode))
        {
            return mode.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] is "modes" or "--modes")
        {
            foreach (var (name, m) in Modes)
            {
                Console.WriteLine($"{name,-12} {m.Description}");
            }

            Console.WriteLine("(anything else)  BenchmarkDotNet: --list flat, --filter '*Similarity*', --inProcess, --artifacts DIR");
            return 0;
        }

        // '--inProcess' is taken here rather than by BenchmarkDotNet, whose in-process toolchain would stop the whole run
        // after 5 minutes in one benchmark (the 50,000-item cases take longer).
        bool inProcess = args.Any(a => a.Equals("--inProcess", StringComparison.OrdinalIgnoreCase));
        var rest = args.Where(a => !a.Equals("--inProcess", StringComparison.OrdinalIgnoreCase)).ToArray();
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest, BenchmarkConfig.Create(inProcess));
        return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
    }
}

/// <summary>A console measurement mode: a description for <c>modes</c> and the function that runs it.</summary>
/// <param name="Description">One line for the mode list.</param>
/// <param name="Run">Runs the mode with the remaining arguments; returns the exit code.</param>
public sealed record ConsoleMode(string Description, Func<string[], int> Run);
