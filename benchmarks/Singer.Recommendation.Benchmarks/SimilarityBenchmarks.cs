using BenchmarkDotNet.Attributes;
using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;
using TorchSharp;
using static TorchSharp.torch;

namespace Singer.Recommendation.Benchmarks;

/// <summary>
/// The O(N²) hot path of the semantic graph (SPEC §1.1): the blocked kNN builder against the machine's own matrix-multiply rate
/// on the same products (the baseline), the plain blocked "product + topk" loop and the reference code's dense way.
/// Long operations, so each iteration is one invocation (the project's default job, <see cref="BenchmarkConfig"/>).
/// </summary>
public class SimilarityBenchmarks
{
    private const int K = 10;
    private ItemModality _features = null!;
    private Tensor? _normalized;
    private Tensor? _buffer;
    private int _mmBlockRows;
    private Device _device = CPU;
    private KnnPrecision _precision;

    /// <summary>Items: 2,000, 10,000, 50,000 (or the comma-separated list in SINGER_BENCH_N).</summary>
    [ParamsSource(nameof(Sizes))]
    public int N { get; set; }

    /// <summary>Feature dimension: 384, 4,096 (or the list in SINGER_BENCH_D).</summary>
    [ParamsSource(nameof(Dimensions))]
    public int D { get; set; }

    /// <summary>The N values.</summary>
    public static IEnumerable<int> Sizes() => FromEnvironment("SINGER_BENCH_N", [2_000, 10_000, 50_000]);

    /// <summary>The D values.</summary>
    public static IEnumerable<int> Dimensions() => FromEnvironment("SINGER_BENCH_D", [384, 4_096]);

    /// <summary>Where and in which precision the products run.</summary>
    [ParamsSource(nameof(Backends))]
    public string Backend { get; set; } = "cpu";

    /// <summary>The CPU, and CUDA in float32 and bfloat16 when a GPU is available (or the list in SINGER_BENCH_BACKENDS).</summary>
    public static IEnumerable<string> Backends() =>
        Environment.GetEnvironmentVariable("SINGER_BENCH_BACKENDS") is { Length: > 0 } text
            ? text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : ComputeDevice.IsCudaAvailable() ? ["cpu", "cuda-fp32", "cuda-bf16"] : ["cpu"];

    [GlobalSetup]
    public void Setup()
    {
        (_device, _precision) = Workloads.ParseBackend(Backend);
        _features = Workloads.RandomFeatures(N, D);
        _normalized = Workloads.Normalized(_features, _device, Workloads.DType(_precision));
        // The baseline's block: the largest the default budget allows on the CPU (the best GEMM shape), the builder's on CUDA.
        _mmBlockRows = _device.type == DeviceType.CUDA
            ? Math.Min(N, 8192)
            : Workloads.BudgetBlockRows(N);
        _buffer = empty(_mmBlockRows, N, Workloads.DType(_precision), _device);
        _buffer.fill_(0); // touch every page before timing
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _normalized?.Dispose();
        _buffer?.Dispose();
    }

    /// <summary>Baseline: the N × N products block by block into a ready buffer, nothing else (the machine's GEMM rate).</summary>
    [Benchmark(Baseline = true)]
    public void MatMulOnly() => Measure(nameof(MatMulOnly), () => Workloads.MatMulOnly(_normalized!, _buffer!, _mmBlockRows));

    /// <summary>The library's blocked builder with its defaults (k = 10, cosine, self excluded, 256 MiB; 4 GiB on CUDA).</summary>
    [Benchmark]
    public SparseGraph Blocked() => Measure(nameof(Blocked), () => KnnSimilarityGraph.Build(_features, Workloads.BuilderOptions(_device, _precision, K), _device));

    /// <summary>The plain blocked loop: product + torch topk per block (the builder's block height).</summary>
    [Benchmark]
    public SparseGraph TorchTopKLoop() => Measure(nameof(TorchTopKLoop), () =>
        Workloads.TorchTopKLoop(_features, K, _device.type == DeviceType.CUDA ? Math.Min(N, 8192) : Workloads.CpuBuilderBlockRows(N), _device, Workloads.DType(_precision)));

    /// <summary>The reference code's way: the full N × N matrix and one topk (throws where N² floats exceed 8 GiB).</summary>
    [Benchmark]
    public SparseGraph NaiveDense() => Measure(nameof(NaiveDense), () => Workloads.NaiveDense(_features, K, _device, Workloads.DType(_precision)));

    private static int[] FromEnvironment(string variable, int[] fallback) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } text
            ? text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => int.Parse(s, System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture)).ToArray()
            : fallback;

    private T Measure<T>(string method, Func<T> run)
    {
        T result = default!;
        double cpu = 0;
        var (before, peak) = PeakMemory.Measure(() =>
        {
            double start = PeakMemory.CpuSeconds();
            result = run();
            cpu = PeakMemory.CpuSeconds() - start;
        });
        string key = BenchmarkConfig.CaseKey(method, [("N", N), ("D", D), ("Backend", Backend)]);
        PeakMemory.Record(key, before, peak);
        PeakMemory.RecordCpu(key, cpu);
        return result;
    }

    private void Measure(string method, Action run) => Measure<int>(method, () =>
    {
        run();
        return 0;
    });
}
