using Singer.Recommendation.Core;

namespace Singer.Recommendation.Graphs.Tests;

/// <summary>SPEC §1.1: the blocked kNN builder against hand-checked graphs and a brute-force reference.</summary>
public sealed class KnnSimilarityGraphTests
{
    private const float Tolerance = 1e-5f;

    // Five 2-d items: 0 = (1,0), 1 = (1,1), 2 = (0,1), 3 = (-1,0), 4 = zero row.
    // Cosines: 0–1 = 1–2 = 0.7071; 0–2 = 0–4 = 1–4 = 2–3 = 2–4 = 3–4 = 0; 1–3 = −0.7071; 0–3 = −1.
    private static readonly ItemModality FiveItems = new("hand", 5, 2, [1, 0, 1, 1, 0, 1, -1, 0, 0, 0]);

    private static readonly float Half = 1f / MathF.Sqrt(2f);

    [Fact]
    public void Hand_checked_five_items_cosine_weights_drop_non_positive_edges()
    {
        var g = KnnSimilarityGraph.Build(FiveItems, new KnnGraphOptions { K = 2 });
        // Row 0: 1 (0.707), then 2 and 4 tie at 0 → 2 (lower index), but 0 is not > 0 → dropped.
        // Row 1: 0 and 2 tie at 0.707. Row 2: 1. Row 3: best are 2 and 4 at 0 → nothing. Row 4 (zero row): nothing.
        var expected = SparseGraph.FromCsr(5, 5, [0, 1, 3, 4, 4, 4], [1, 0, 2, 1], [Half, Half, Half, Half]);
        g.ShouldEqual(expected, 1e-6f);
    }

    [Fact]
    public void Hand_checked_five_items_binary_edges_keep_k_with_ties_to_the_lower_index()
    {
        var g = KnnSimilarityGraph.Build(FiveItems, new KnnGraphOptions { K = 2, Weight = KnnEdgeWeight.Binary });
        var expected = SparseGraph.FromCsr(5, 5, [0, 2, 4, 6, 8, 10], [1, 2, 0, 2, 0, 1, 2, 4, 0, 1], Enumerable.Repeat(1f, 10).ToArray());
        g.ShouldEqual(expected, 0f);
    }

    [Fact]
    public void Hand_checked_five_items_including_self()
    {
        var g = KnnSimilarityGraph.Build(FiveItems, new KnnGraphOptions { K = 2, Weight = KnnEdgeWeight.Binary, IncludeSelf = true });
        // The zero row's self-similarity is 0, like everything else: it keeps 0 and 1.
        var expected = SparseGraph.FromCsr(5, 5, [0, 2, 4, 6, 8, 10], [0, 1, 0, 1, 1, 2, 2, 3, 0, 1], Enumerable.Repeat(1f, 10).ToArray());
        g.ShouldEqual(expected, 0f);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Every_block_size_from_one_row_to_all_rows_equals_brute_force(int seed)
    {
        var features = Reference.RandomFeatures(seed, 50, 8, zeroRows: [7], duplicateOf: [(30, 3), (41, 3)]);
        foreach (bool includeSelf in new[] { false, true })
        {
            foreach (var weight in new[] { KnnEdgeWeight.Cosine, KnnEdgeWeight.Binary })
            {
                var expected = Reference.Knn(features, features, 5, !includeSelf, weight);
                for (int block = 1; block <= 50; block++)
                {
                    var options = new KnnGraphOptions { K = 5, IncludeSelf = includeSelf, Weight = weight, BlockRows = block };
                    KnnSimilarityGraph.Build(features, options).ShouldEqual(expected, Tolerance, $"block {block}, self {includeSelf}, {weight}");
                }
            }
        }
    }

    [Fact]
    public void Every_block_size_of_a_200_item_graph_equals_brute_force()
    {
        var features = Reference.RandomFeatures(3, 200, 24, zeroRows: [0, 150], duplicateOf: [(99, 10), (199, 10)]);
        var weighted = Reference.Knn(features, features, 10, true, KnnEdgeWeight.Cosine);
        var binary = Reference.Knn(features, features, 10, false, KnnEdgeWeight.Binary);
        for (int block = 1; block <= 200; block++)
        {
            KnnSimilarityGraph.Build(features, new KnnGraphOptions { K = 10, BlockRows = block })
                .ShouldEqual(weighted, Tolerance, $"cosine, self excluded, block {block}");
            KnnSimilarityGraph.Build(features, new KnnGraphOptions { K = 10, BlockRows = block, IncludeSelf = true, Weight = KnnEdgeWeight.Binary })
                .ShouldEqual(binary, 0f, $"binary, self included, block {block}");
        }
    }

    [Theory]
    [InlineData(11, 2000, 16)]
    [InlineData(12, 2000, 48)]
    [InlineData(13, 777, 100)]
    public void Larger_random_graphs_equal_brute_force_for_several_block_sizes(int seed, int n, int d)
    {
        var features = Reference.RandomFeatures(seed, n, d, zeroRows: [5, n - 1], duplicateOf: [(n / 2, 17), (n - 2, 17)]);
        foreach (bool includeSelf in new[] { false, true })
        {
            foreach (var weight in new[] { KnnEdgeWeight.Cosine, KnnEdgeWeight.Binary })
            {
                var expected = Reference.Knn(features, features, 10, !includeSelf, weight);
                foreach (int block in new[] { 1, 3, 64, 333, n - 1, n })
                {
                    var options = new KnnGraphOptions { K = 10, IncludeSelf = includeSelf, Weight = weight, BlockRows = block };
                    KnnSimilarityGraph.Build(features, options).ShouldEqual(expected, Tolerance, $"block {block}, self {includeSelf}, {weight}");
                }
            }
        }
    }

    [Fact]
    public void Default_budget_gives_the_same_graph_as_one_block()
    {
        var features = Reference.RandomFeatures(5, 1500, 24);
        var tiny = KnnSimilarityGraph.Build(features, new KnnGraphOptions { K = 10, MemoryBudgetBytes = 4 * 1500 * 7 });
        var one = KnnSimilarityGraph.Build(features, new KnnGraphOptions { K = 10, BlockRows = 1500 });
        // Same neighbours; the values may differ in the last bit, since BLAS sums in another order for other block shapes.
        tiny.ShouldEqual(one, 1e-6f);
        tiny.ShouldEqual(Reference.Knn(features, features, 10, true, KnnEdgeWeight.Cosine), Tolerance);
    }

    [Fact]
    public void Duplicate_rows_tie_and_the_lower_index_wins()
    {
        // Items 0..5 are copies of one vector, so every pair of them has cosine 1 (bit for bit the same product).
        var features = Reference.RandomFeatures(3, 40, 12, duplicateOf: [(1, 0), (2, 0), (3, 0), (4, 0), (5, 0)]);
        var g = KnnSimilarityGraph.Build(features, new KnnGraphOptions { K = 3, BlockRows = 7 });
        g.ColumnsOf(0).ToArray().Should().Equal(1, 2, 3);
        g.ColumnsOf(2).ToArray().Should().Equal(0, 1, 3);
        g.ColumnsOf(5).ToArray().Should().Equal(0, 1, 2);
        g.ShouldEqual(Reference.Knn(features, features, 3, true, KnnEdgeWeight.Cosine), Tolerance);
    }

    [Fact]
    public void Zero_rows_have_similarity_zero_never_nan()
    {
        var features = Reference.RandomFeatures(4, 30, 6, zeroRows: [0, 9, 29]);
        var weighted = KnnSimilarityGraph.Build(features, new KnnGraphOptions { K = 4 });
        weighted.Degrees()[0].Should().Be(0, "a zero row has no positive cosine");
        weighted.Values.ToArray().Should().OnlyContain(v => float.IsFinite(v) && v > 0);
        for (int r = 0; r < 30; r++)
        {
            weighted.ColumnsOf(r).ToArray().Should().NotContain([0, 9, 29], "nothing is similar to a zero row");
        }

        var binary = KnnSimilarityGraph.Build(features, new KnnGraphOptions { K = 4, Weight = KnnEdgeWeight.Binary });
        binary.ColumnsOf(9).ToArray().Should().Equal(0, 1, 2, 3);
        binary.ShouldEqual(Reference.Knn(features, features, 4, true, KnnEdgeWeight.Binary), 0f);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void K_equal_to_the_largest_allowed_value_keeps_every_item(bool includeSelf)
    {
        int n = 60;
        var features = Reference.RandomFeatures(6, n, 5);
        int k = includeSelf ? n : n - 1;
        var binary = KnnSimilarityGraph.Build(features, new KnnGraphOptions { K = k, IncludeSelf = includeSelf, Weight = KnnEdgeWeight.Binary, BlockRows = 13 });
        binary.Degrees().Should().OnlyContain(d => d == k);
        binary.ShouldEqual(Reference.Knn(features, features, k, !includeSelf, KnnEdgeWeight.Binary), 0f);
        var weighted = KnnSimilarityGraph.Build(features, new KnnGraphOptions { K = k, IncludeSelf = includeSelf, BlockRows = 13 });
        weighted.ShouldEqual(Reference.Knn(features, features, k, !includeSelf, KnnEdgeWeight.Cosine), Tolerance);
    }

    [Fact]
    public void Query_graph_ranks_new_rows_against_the_base_items()
    {
        var baseItems = Reference.RandomFeatures(7, 300, 20);
        var queries = Reference.RandomFeatures(8, 45, 20, zeroRows: [3], duplicateOf: [(4, 0)], name: "q");
        foreach (var weight in new[] { KnnEdgeWeight.Cosine, KnnEdgeWeight.Binary })
        {
            var expected = Reference.Knn(queries, baseItems, 10, false, weight);
            foreach (int block in new[] { 1, 8, 45 })
            {
                var g = KnnSimilarityGraph.BuildQuery(queries, baseItems, new KnnGraphOptions { K = 10, Weight = weight, BlockRows = block });
                g.RowCount.Should().Be(45);
                g.ColumnCount.Should().Be(300);
                g.ShouldEqual(expected, Tolerance, $"{weight}, block {block}");
            }
        }

        // A query equal to a base row finds it; k may equal the base count.
        var copy = new ItemModality("q", 1, 20, baseItems.Row(123).ToArray());
        KnnSimilarityGraph.BuildQuery(copy, baseItems, new KnnGraphOptions { K = 1 }).ColumnsOf(0).ToArray().Should().Equal(123);
        KnnSimilarityGraph.BuildQuery(copy, baseItems, new KnnGraphOptions { K = 300, Weight = KnnEdgeWeight.Binary }).NonZeroCount.Should().Be(300);
    }

    [Fact]
    public void Invalid_options_report_every_problem_at_once()
    {
        var options = new KnnGraphOptions { K = 5, MemoryBudgetBytes = 0, BlockRows = 0, Precision = KnnPrecision.BFloat16, ReducedPrecisionTolerance = -1 };
        var act = () => KnnSimilarityGraph.Build(FiveItems, options);
        var e = act.Should().Throw<GraphOptionsException>().Which;
        e.Problems.Should().HaveCount(5);
        e.Message.Should().Contain("KnnGraphOptions.K: must be ≥ 1 and < the item count (5); got 5")
            .And.Contain("KnnGraphOptions.MemoryBudgetBytes: must be > 0 bytes; got 0").And.Contain("KnnGraphOptions.BlockRows:")
            .And.Contain("KnnGraphOptions.Precision: reduced precision (BFloat16)").And.Contain("CUDA only")
            .And.Contain("KnnGraphOptions.ReducedPrecisionTolerance:").And.Contain("got -1");
        e.Should().BeAssignableTo<ArgumentException>();

        var ok = () => KnnSimilarityGraph.Build(FiveItems, new KnnGraphOptions { K = 5, IncludeSelf = true });
        ok.Should().NotThrow("with IncludeSelf, k may equal the item count");
        var tooMany = () => KnnSimilarityGraph.Build(FiveItems, new KnnGraphOptions { K = 6, IncludeSelf = true });
        tooMany.Should().Throw<GraphOptionsException>().WithMessage("*KnnGraphOptions.K: must be ≥ 1 and ≤ the item count (5)*got 6*");
        var zero = () => KnnSimilarityGraph.Build(FiveItems, new KnnGraphOptions { K = 0 });
        zero.Should().Throw<GraphOptionsException>().WithMessage("*KnnGraphOptions.K: must be ≥ 1*got 0*");
        var dims = () => KnnSimilarityGraph.BuildQuery(Reference.RandomFeatures(1, 3, 4), FiveItems, new KnnGraphOptions { K = 9 });
        dims.Should().Throw<GraphOptionsException>().Which.Problems.Should().HaveCount(2);
    }

    [Fact]
    public void Progress_reaches_every_row_and_cancellation_stops_the_build()
    {
        var features = Reference.RandomFeatures(9, 500, 8);
        var reports = new List<GraphBuildProgress>();
        var progress = new SynchronousProgress<GraphBuildProgress>(reports.Add);
        KnnSimilarityGraph.Build(features, new KnnGraphOptions { K = 10, BlockRows = 100 }, progress: progress);
        reports.Should().HaveCount(5);
        reports[^1].CompletedRows.Should().Be(500);
        reports[^1].Fraction.Should().Be(1.0);
        reports.Should().OnlyContain(r => r.Stage == GraphBuildStage.Similarity && r.Modality == "f");

        using var cts = new CancellationTokenSource();
        var cancelling = new SynchronousProgress<GraphBuildProgress>(_ => cts.Cancel());
        var act = () => KnnSimilarityGraph.Build(features, new KnnGraphOptions { K = 10, BlockRows = 100 }, progress: cancelling, cancellationToken: cts.Token);
        act.Should().Throw<OperationCanceledException>();
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
    internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
