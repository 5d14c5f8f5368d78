using Singer.Recommendation.Graphs;

namespace Singer.Recommendation.Tests;

/// <summary>
/// The graph rows of new (cold) items are normalised like the kNN side of the semantic graph: the model's own
/// normalisation (<c>SingerModel.NormalizeNewRows</c>) and the graph's (<see cref="SparseGraph.SymmetricNormalize"/>,
/// fused with weight <c>1 − β</c>) must give the same values.
/// </summary>
public sealed class NewItemRowTests
{
    [Theory]
    [InlineData(0f)]
    [InlineData(0.3f)]
    public void A_new_item_with_an_existing_items_neighbours_gets_that_items_knn_side_of_the_fused_graph(float beta)
    {
        var graph = SemanticGraph.Build(SmallData.Small, new SemanticGraphOptions { Beta = beta, CoInteractionK = 7, Knn = new KnnGraphOptions { K = 6 } });
        foreach (string m in graph.Modalities)
        {
            var knn = graph.ModalityGraph(m);
            const int rows = 40;
            var offsets = knn.RowOffsets[..(rows + 1)].ToArray();
            var firstRows = SparseGraph.FromCsr(rows, knn.ColumnCount, offsets, knn.ColumnIndices[..offsets[rows]].ToArray(), knn.Values[..offsets[rows]].ToArray());

            // As SingerModel.EmbedNewItems calls it: against the existing degrees of S^m, scaled by 1 − β.
            var actual = SingerModel.NormalizeNewRows(firstRows, knn.RowSums(), 1 - graph.Beta).ToDense();
            var expected = knn.SymmetricNormalize().ToDense();
            var fused = graph[m].ToDense();
            actual.Should().HaveCount(rows * knn.ColumnCount);
            for (int i = 0; i < actual.Length; i++)
            {
                actual[i].Should().BeApproximately((1 - beta) * expected[i], 1e-6f, "entry ({0}, {1}) of '{2}'", i / knn.ColumnCount, i % knn.ColumnCount, m);
                if (beta == 0f)
                {
                    actual[i].Should().BeApproximately(fused[i], 1e-6f, "with β = 0 the fused graph is norm(S^m)");
                }
            }
        }
    }
}
