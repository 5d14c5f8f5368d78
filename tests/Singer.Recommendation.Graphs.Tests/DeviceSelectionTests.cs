using Singer.Recommendation.Core;
using TorchSharp;

namespace Singer.Recommendation.Graphs.Tests;

/// <summary>
/// The device (CUDA) selection path — chunked candidates, exact tie fix-up, reduced precision with float32 re-scoring —
/// run on CPU tensors through the internal test hook, so its logic is checked on every machine; and on CUDA when present.
/// </summary>
public sealed class DeviceSelectionTests
{
    private const float Tolerance = 1e-5f;

    public static TheoryData<KnnPrecision> Precisions => new() { KnnPrecision.Float32, KnnPrecision.BFloat16, KnnPrecision.Float16 };

    [Theory]
    [MemberData(nameof(Precisions))]
    public void Device_path_equals_brute_force_on_small_graphs_for_every_block_size(KnnPrecision precision)
    {
        var features = Reference.RandomFeatures(21, 40, 8, zeroRows: [4], duplicateOf: [(20, 2), (33, 2)]);
        foreach (bool includeSelf in new[] { false, true })
        {
            foreach (var weight in new[] { KnnEdgeWeight.Cosine, KnnEdgeWeight.Binary })
            {
                var expected = Reference.Knn(features, features, 5, !includeSelf, weight);
                foreach (int block in new[] { 1, 2, 7, 39, 40 })
                {
                    var options = new KnnGraphOptions
                    {
                        K = 5, IncludeSelf = includeSelf, Weight = weight, BlockRows = block, Precision = precision, ForceDeviceSelection = true,
                    };
                    KnnSimilarityGraph.Build(features, options).ShouldEqual(expected, Tolerance, $"{precision}, block {block}, self {includeSelf}, {weight}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Precisions))]
    public void Chunked_candidates_with_ties_equal_brute_force(KnnPrecision precision)
    {
        // 2,600 columns = 20 full chunks of 128 + a tail of 40, so the chunk-maximum selection runs (m + 1 < 20 chunks).
        // Many duplicates put exact ties on the boundary, which must go to the lower index through the fix-up.
        int n = 2600;
        var duplicates = Enumerable.Range(0, 60).Select(i => (Row: 100 + (i * 41), Of: i % 3)).ToArray();
        var features = Reference.RandomFeatures(22, n, 12, zeroRows: [7, 2599], duplicateOf: duplicates);
        foreach (var weight in new[] { KnnEdgeWeight.Cosine, KnnEdgeWeight.Binary })
        {
            var expected = Reference.Knn(features, features, 6, true, weight);
            var options = new KnnGraphOptions
            {
                K = 6, Weight = weight, BlockRows = 700, Precision = precision, ReducedPrecisionExtraCandidates = 4, ForceDeviceSelection = true,
            };
            KnnSimilarityGraph.Build(features, options).ShouldEqual(expected, Tolerance, $"{precision}, {weight}");
        }
    }

    [Fact]
    public void Reduced_precision_with_a_small_tolerance_certifies_more_rows_and_stays_close()
    {
        var features = Reference.RandomFeatures(23, 1800, 32);
        var exact = KnnSimilarityGraph.Build(features, new KnnGraphOptions { K = 8 });
        var options = new KnnGraphOptions
        {
            K = 8, Precision = KnnPrecision.BFloat16, ReducedPrecisionTolerance = 0f, ReducedPrecisionExtraCandidates = 16, ForceDeviceSelection = true,
        };
        var fast = KnnSimilarityGraph.Build(features, options);
        // With τ = 0 a neighbour may differ only at a near-tie; the values that are there are exact float32 cosines.
        var difference = SparseGraph.Compare(exact, fast, Tolerance);
        difference.ValueMismatches.Should().Be(0);
        difference.MissingEntries.Should().BeLessThan(exact.NonZeroCount / 100, difference.ToString());
    }

    [Fact]
    public void Query_graph_on_the_device_path_equals_brute_force()
    {
        var baseItems = Reference.RandomFeatures(24, 2000, 10, duplicateOf: [(5, 1), (6, 1)]);
        var queries = Reference.RandomFeatures(25, 30, 10, duplicateOf: [(0, 1)], name: "q");
        var expected = Reference.Knn(queries, baseItems, 10, false, KnnEdgeWeight.Binary);
        var options = new KnnGraphOptions { K = 10, Weight = KnnEdgeWeight.Binary, BlockRows = 11, ForceDeviceSelection = true };
        KnnSimilarityGraph.BuildQuery(queries, baseItems, options).ShouldEqual(expected, 0f);
    }

    [SkippableFact]
    public void Cuda_builds_equal_the_cpu_build()
    {
        Skip.IfNot(ComputeDevice.IsCudaAvailable(), "CUDA is not available to TorchSharp on this machine; the CUDA kNN test runs only where it is.");
        var features = Reference.RandomFeatures(31, 6000, 64, zeroRows: [3], duplicateOf: [(100, 1), (200, 1)]);
        var cpu = KnnSimilarityGraph.Build(features, new KnnGraphOptions { K = 10 });
        var cuda = torch.device(DeviceType.CUDA, 0);
        foreach (var precision in new[] { KnnPrecision.Float32, KnnPrecision.BFloat16, KnnPrecision.Float16 })
        {
            var g = KnnSimilarityGraph.Build(features, new KnnGraphOptions { K = 10, Precision = precision, MemoryBudgetBytes = 64L << 20 }, cuda);
            g.ShouldEqual(cpu, 1e-4f, $"CUDA {precision}");
        }

        var binary = KnnSimilarityGraph.Build(features, new KnnGraphOptions { K = 10, Weight = KnnEdgeWeight.Binary, IncludeSelf = true }, cuda);
        binary.ShouldEqual(Reference.Knn(features, features, 10, false, KnnEdgeWeight.Binary), 0f, "CUDA binary with self");
    }
}
