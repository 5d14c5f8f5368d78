using Singer.Recommendation.Core;
using Singer.Recommendation.Testing;
using TorchSharp;

namespace Singer.Recommendation.Graphs.Tests;

/// <summary>Parity with the reference construction on real data (../shared/data/ml100k).</summary>
public sealed class Ml100kParityTests
{
    /// <summary>
    /// FREEDOM's <c>get_knn_adj_mat</c> + <c>compute_normalized_laplacian</c>, written again here with dense torch ops:
    /// <c>x / ‖x‖</c>, the full N × N cosine matrix, the top k per row (self included), weight 1, then
    /// <c>(rowsum + 1e-7)^{-1/2}</c> on both sides of each edge. FREEDOM takes <c>torch.topk</c>, whose order among
    /// equal values is unspecified; <paramref name="stableTies"/> takes the first k of a stable descending sort instead,
    /// which sends ties to the lower index as SPEC §1.1 asks.
    /// </summary>
    private static SparseGraph FreedomKnn(ItemModality features, int k, bool stableTies)
    {
        using var scope = torch.NewDisposeScope();
        var x = features.ToTensor();
        var context = x.div(x.norm(-1, true));
        var similarity = context.mm(context.t());
        var knn = stableTies
            ? similarity.sort(dim: -1, descending: true, stable: true).Indices.narrow(1, 0, k).contiguous()
            : similarity.topk(k, dim: -1).indexes;
        int n = features.ItemCount;
        var indices = knn.data<long>().ToArray();
        var rowSum = new float[n];
        foreach (int i in Enumerable.Range(0, n))
        {
            rowSum[i] = 1e-7f + k;
        }

        var rows = new int[n * k];
        var cols = new int[n * k];
        var vals = new float[n * k];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < k; j++)
            {
                int c = (int)indices[(i * k) + j];
                rows[(i * k) + j] = i;
                cols[(i * k) + j] = c;
                vals[(i * k) + j] = MathF.Pow(rowSum[i], -0.5f) * MathF.Pow(rowSum[c], -0.5f);
            }
        }

        return SparseGraph.FromTriplets(n, n, rows, cols, vals);
    }

    [SkippableFact]
    public void Text_knn_graph_equals_the_freedom_construction()
    {
        var text = TestData.Ml100k().GetModality("text");
        var ours = KnnSimilarityGraph.Build(text, new KnnGraphOptions { K = 10, IncludeSelf = true, Weight = KnnEdgeWeight.Binary })
            .SymmetricNormalize();
        var freedom = FreedomKnn(text, 10, stableTies: true);
        ours.NonZeroCount.Should().Be(16_820);
        ours.ShouldEqual(freedom, 1e-6f, "ml100k text, k = 10, self included, binary, D^-1/2 A D^-1/2");

        // With torch.topk itself the graphs differ only where two items have identical text features (an exact tie
        // at the 10th place, which topk happens to break towards the higher index).
        var difference = SparseGraph.Compare(FreedomKnn(text, 10, stableTies: false), ours, 1e-6f);
        difference.ValueMismatches.Should().Be(0);
        difference.MissingEntries.Should().Be(difference.ExtraEntries);
        foreach (var row in difference.Differences.GroupBy(d => d.Row))
        {
            var theirs = row.Single(d => d.Actual is null).Column;
            var mine = row.Single(d => d.Expected is null).Column;
            mine.Should().BeLessThan(theirs);
            text.Row(mine).SequenceEqual(text.Row(theirs)).Should().BeTrue($"row {row.Key}: items {mine} and {theirs} tie exactly");
        }
    }

    [SkippableFact]
    public void Genre_graph_with_many_duplicate_rows_breaks_ties_to_the_lower_index()
    {
        // 19-d multi-hot genres: hundreds of items share a genre vector, so most rows end in exact ties.
        var genre = TestData.Ml100k().GetModality("genre");
        foreach (var weight in new[] { KnnEdgeWeight.Cosine, KnnEdgeWeight.Binary })
        {
            var expected = Reference.Knn(genre, genre, 10, true, weight);
            KnnSimilarityGraph.Build(genre, new KnnGraphOptions { K = 10, Weight = weight, BlockRows = 300 }).ShouldEqual(expected, 1e-5f, $"CPU {weight}");
            KnnSimilarityGraph.Build(genre, new KnnGraphOptions { K = 10, Weight = weight, BlockRows = 300, ForceDeviceSelection = true })
                .ShouldEqual(expected, 1e-5f, $"device path {weight}");
        }
    }

    [SkippableFact]
    public void Semantic_graph_of_ml100k_has_the_expected_shape()
    {
        var data = TestData.Ml100k();
        var semanticGraph = SemanticGraph.Build(data);
        semanticGraph.Modalities.Should().Equal("genre", "text");
        semanticGraph.CoInteraction.ShouldEqual(Reference.CoInteraction(data.Train, 10), 0f);
        foreach (string m in semanticGraph.Modalities)
        {
            var stats = semanticGraph.Statistics(m);
            stats.ItemCount.Should().Be(1682);
            stats.MaxDegree.Should().BeLessThanOrEqualTo(new KnnGraphOptions().K + 10, "at most k + k_c entries per row");
            stats.ToString().Should().Contain("1,682 items");
        }
    }
}
