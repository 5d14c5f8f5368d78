using Singer.Recommendation.Graphs;

namespace Singer.Recommendation.Tests;

/// <summary>
/// The graph rows of new (cold) items are normalised like the kNN side of the semantic graph: the rows
/// <see cref="SemanticGraph.NewItemRows"/> gives (what <c>SingerModel.EmbedNewItems</c> uses) and the graph's own
/// normalisation (<see cref="SparseGraph.SymmetricNormalize"/>, fused with weight <c>1 − β</c>) must give the same values.
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

            // New items whose kNN rows equal the first existing items' rows.
            var actual = graph.NewItemRows(m, firstRows).ToDense();
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

    [Fact]
    public void Rows_with_the_wrong_column_count_are_rejected()
    {
        var graph = SemanticGraph.Build(SmallData.Small, new SemanticGraphOptions { CoInteractionK = 7, Knn = new KnnGraphOptions { K = 6 } });
        var wrong = SparseGraph.FromCsr(1, graph.ItemCount + 1, [0, 1], [0], [1f]);

        FluentActions.Invoking(() => graph.NewItemRows(graph.Modalities[0], wrong)).Should().Throw<ArgumentException>()
            .WithMessage($"The new items' rows have {graph.ItemCount + 1} columns; the semantic graph has {graph.ItemCount} items.*");
    }
}
