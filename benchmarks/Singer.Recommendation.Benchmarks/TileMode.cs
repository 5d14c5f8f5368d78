using System.Globalization;
using Singer.Recommendation.Core;
using TorchSharp;
using static Singer.Recommendation.Benchmarks.ModeSupport;

namespace Singer.Recommendation.Benchmarks;

/// <summary><c>topk-tiles</c>: the fused kernel's time for several tile widths against the bare tiled products (experiment).</summary>
internal static class TileMode
{
    public static int Run(string[] args)
    {
        int items = Int(args, "items", 100_000), dim = Int(args, "dim", 64), k = Int(args, "k", 20);
        int[] batches = Ints(args, "batches", "64,256");
        int[] tiles = Ints(args, "tiles", "256,512,1024,2048,4096,8192");
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        var x = torch.randn(items, dim);
        double rate = EngineLatencyMode.GemmRate();
        Console.WriteLine($"GEMM rate {rate / 1e9:F1} GFLOP/s; load {LoadAverage()}; threads {torch.get_num_threads()}");
        foreach (int b in batches)
        {
            var q = torch.randn(b, dim);
            double atRate = 2.0 * b * items * dim / rate * 1e3;
            foreach (int tile in tiles)
            {
                var buffer = torch.empty(b, tile);
                double gemm = EngineLatencyMode.Best(() =>
                {
                    for (int s = 0; s < items; s += tile)
                    {
                        int w = Math.Min(tile, items - s);
                        using var part = x.narrow(0, s, w);
                        using var pt = part.t();
                        using var target = buffer.narrow(1, 0, w);
                        target.addmm_(q, pt, beta: 0f, alpha: 1f);
                    }
                });
                var bufferT = torch.empty(tile, b);
                var qt = q.t();
                double gemmT = EngineLatencyMode.Best(() =>
                {
                    for (int s = 0; s < items; s += tile)
                    {
                        int w = Math.Min(tile, items - s);
                        using var part = x.narrow(0, s, w);
                        using var target = bufferT.narrow(0, 0, w);
                        target.addmm_(part, qt, beta: 0f, alpha: 1f);
                    }
                });
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   transposed tiles [tile × B] = X_tile · Qᵀ: {gemmT:F2} ms ({atRate / gemmT:P0})"));
                double fused = EngineLatencyMode.Best(() => BlockedTopK.Accumulate(q, x, 0, new TopKAccumulator(b, k), 0, null, tile));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"B={b} tile={tile}: tiled GEMM {gemm:F2} ms ({atRate / gemm:P0}), fused {fused:F2} ms ({atRate / fused:P0})"));
            }
        }

        return 0;
    }
}
