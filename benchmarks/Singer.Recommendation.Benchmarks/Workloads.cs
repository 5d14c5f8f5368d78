using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;
using TorchSharp;
using static TorchSharp.torch;

namespace Singer.Recommendation.Benchmarks;

/// <summary>The workloads the benchmarks and modes share: data, and the baselines the blocked builder is compared with.</summary>
public static class Workloads
{
    /// <summary>Seeded Gaussian features (N × d), generated in parallel chunks.</summary>
    public static ItemModality RandomFeatures(int n, int d, int seed = 42, string name = "features")
    {
        var data = GC.AllocateUninitializedArray<float>(checked(n * d));
        const int RowsPerChunk = 1024;
        Parallel.For(0, (n + RowsPerChunk - 1) / RowsPerChunk, chunk =>
        {
            var random = new Random(HashCode.Combine(seed, chunk));
            int end = Math.Min(n, (chunk + 1) * RowsPerChunk) * d;
            for (int i = chunk * RowsPerChunk * d; i < end; i += 2)
            {
                double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble(), r = Math.Sqrt(-2 * Math.Log(u1));
                data[i] = (float)(r * Math.Cos(2 * Math.PI * u2));
                if (i + 1 < end)
                {
                    data[i + 1] = (float)(r * Math.Sin(2 * Math.PI * u2));
                }
            }
        });
        return new ItemModality(name, n, d, data, takeOwnership: true);
    }

    /// <summary>Floating-point operations of the N × N similarity products: 2·N²·d.</summary>
    public static double Flops(long n, long d) => 2.0 * n * n * d;

    /// <summary>Parses a backend name: <c>cpu</c>, <c>cuda-fp32</c>, <c>cuda-bf16</c>, <c>cuda-fp16</c>.</summary>
    public static (Device Device, KnnPrecision Precision) ParseBackend(string backend) => backend switch
    {
        "cpu" => (CPU, KnnPrecision.Float32),
        "cuda-fp32" => (CUDA, KnnPrecision.Float32),
        "cuda-bf16" => (CUDA, KnnPrecision.BFloat16),
        "cuda-fp16" => (CUDA, KnnPrecision.Float16),
        _ => throw new ArgumentException($"Unknown backend '{backend}'; use cpu, cuda-fp32, cuda-bf16 or cuda-fp16.", nameof(backend)),
    };

    /// <summary>The dtype of a precision.</summary>
    public static ScalarType DType(KnnPrecision precision) => precision switch
    {
        KnnPrecision.BFloat16 => ScalarType.BFloat16,
        KnnPrecision.Float16 => ScalarType.Float16,
        _ => ScalarType.Float32,
    };

    /// <summary>The options the benchmarks give the blocked builder: defaults, with a 4 GiB block budget on a GPU.</summary>
    public static KnnGraphOptions BuilderOptions(Device device, KnnPrecision precision, int k = 10) => new()
    {
        K = k,
        Precision = precision,
        MemoryBudgetBytes = device.type == DeviceType.CUDA ? 4L << 30 : new KnnGraphOptions().MemoryBudgetBytes,
    };

    /// <summary>The L2-normalised features as a tensor on <paramref name="device"/> (x / ‖x‖, as the reference code does).</summary>
    public static Tensor Normalized(ItemModality features, Device device, ScalarType type)
    {
        using var scope = NewDisposeScope();
        var x = features.ToTensor(device);
        return x.div(x.norm(-1, true)).to_type(type).MoveToOuterDisposeScope();
    }

    /// <summary>Whether the dense N × N float32 matrix of the naive way fits: at most 8 GiB on the CPU (24 GB machine), 32 GiB on a GPU.</summary>
    public static bool DenseFits(long n, Device? device = null) => n * n * 4 <= (device?.type == DeviceType.CUDA ? 32L << 30 : 8L << 30);

    /// <summary>
    /// The reference code's way (MMRec FREEDOM/MGCN <c>build_sim</c> + <c>topk</c>): the full N × N cosine matrix, one
    /// <c>topk</c> over it, then the graph (self excluded, cosine weights, edges ≤ 0 dropped).
    /// </summary>
    public static SparseGraph NaiveDense(ItemModality features, int k, Device device, ScalarType type)
    {
        if (!DenseFits(features.ItemCount, device))
        {
            throw new NotSupportedException($"The dense {features.ItemCount:N0} × {features.ItemCount:N0} matrix does not fit ({(device.type == DeviceType.CUDA ? 32 : 8)} GiB limit).");
        }

        using var scope = NewDisposeScope();
        var x = Normalized(features, device, type);
        var similarity = x.mm(x.t());
        similarity.diagonal().fill_(float.NegativeInfinity);
        var (values, indices) = similarity.topk(k, dim: 1);
        return ToGraph(features.ItemCount, k, values.to_type(ScalarType.Float32).cpu(), indices.cpu());
    }

    /// <summary>
    /// The plain blocked loop: for each block of <paramref name="blockRows"/> rows, the product and a <c>topk</c> over the
    /// block, on the device; no chunked selection, no vectorised scan.
    /// </summary>
    public static SparseGraph TorchTopKLoop(ItemModality features, int k, int blockRows, Device device, ScalarType type)
    {
        int n = features.ItemCount;
        var values = new Tensor[(n + blockRows - 1) / blockRows];
        var indices = new Tensor[values.Length];
        using var scope = NewDisposeScope();
        var x = Normalized(features, device, type);
        var xt = x.t();
        for (int b = 0, start = 0; start < n; b++, start += blockRows)
        {
            int rows = Math.Min(blockRows, n - start);
            using var inner = NewDisposeScope();
            var similarity = x.narrow(0, start, rows).mm(xt);
            similarity.diagonal(start).fill_(float.NegativeInfinity);
            var (v, i) = similarity.topk(k, dim: 1);
            values[b] = v.to_type(ScalarType.Float32).cpu().MoveToOuterDisposeScope();
            indices[b] = i.cpu().MoveToOuterDisposeScope();
        }

        return ToGraph(n, k, cat(values, 0), cat(indices, 0));
    }

    /// <summary>
    /// The machine's matrix-multiply rate on exactly this work: the N × N products block by block into one buffer that
    /// was allocated and touched beforehand, nothing else. Returns nothing; time it.
    /// </summary>
    public static void MatMulOnly(Tensor normalized, Tensor buffer, int blockRows)
    {
        long n = normalized.shape[0];
        using var xt = normalized.t();
        for (long start = 0; start < n; start += blockRows)
        {
            long rows = Math.Min(blockRows, n - start);
            using var target = buffer.narrow(0, 0, rows);
            using var block = normalized.narrow(0, start, rows);
            target.addmm_(block, xt, beta: 0f, alpha: 1f);
        }

        if (normalized.device_type == DeviceType.CUDA)
        {
            cuda.synchronize(normalized.device);
        }
    }

    /// <summary>The block height the builder picks on the CPU for N items under the default budget (1,024 rows or 64 MiB, within 256 MiB).</summary>
    public static int CpuBuilderBlockRows(int n) =>
        (int)Math.Clamp(Math.Min(Math.Max(1024, (64L << 20) / (4L * n)), (256L << 20) / (4L * n)), 1, n);

    /// <summary>The largest block the default 256 MiB budget allows (for the matrix-multiply baseline).</summary>
    public static int BudgetBlockRows(int n) => (int)Math.Clamp((256L << 20) / (4L * n), 1, n);

    private static SparseGraph ToGraph(int n, int k, Tensor values, Tensor indices)
    {
        var v = values.data<float>().ToArray();
        var c = indices.data<long>().ToArray();
        var rows = new List<int>(n * k);
        var cols = new List<int>(n * k);
        var vals = new List<float>(n * k);
        for (int i = 0; i < v.Length; i++)
        {
            if (v[i] > 0)
            {
                rows.Add(i / k);
                cols.Add((int)c[i]);
                vals.Add(v[i]);
            }
        }

        return SparseGraph.FromTriplets(n, n, rows.ToArray(), cols.ToArray(), vals.ToArray());
    }
}
