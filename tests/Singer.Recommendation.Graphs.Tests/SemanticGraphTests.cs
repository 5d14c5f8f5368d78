using Singer.Recommendation.Core;

namespace Singer.Recommendation.Graphs.Tests;

/// <summary>SPEC §1.3–1.4: normalisation of each part and β fusion, statistics, rebuilding from stored parts.</summary>
public sealed class SemanticGraphTests
{
    private static readonly InteractionDataset Data = SyntheticDataGenerator.Generate(new SyntheticDataOptions
    {
        Users = 300, Items = 250, Interactions = 4_000, ImageDimension = 24, TextDimension = 16, Seed = 7,
    });

    [Theory]
    [InlineData(0.3f)]
    [InlineData(0f)]
    [InlineData(1f)]
    [InlineData(0.75f)]
    public void Fused_graph_is_the_weighted_sum_of_the_normalised_parts(float beta)
    {
        var semanticGraph = SemanticGraph.Build(Data, new SemanticGraphOptions { Beta = beta, CoInteractionK = 7, Knn = new KnnGraphOptions { K = 6 } });
        semanticGraph.Modalities.Should().Equal(Data.Modalities.Select(m => m.Name));
        semanticGraph.Beta.Should().Be(beta);
        semanticGraph.ItemCount.Should().Be(250);
        var co = Reference.NormalizeDense(semanticGraph.CoInteraction);
        foreach (string m in semanticGraph.Modalities)
        {
            var knn = semanticGraph.ModalityGraph(m);
            knn.ShouldEqual(KnnSimilarityGraph.Build(Data.GetModality(m), new KnnGraphOptions { K = 6 }), 0f);
            var s = Reference.NormalizeDense(knn);
            var fused = semanticGraph[m];
            var dense = fused.ToDense();
            for (int i = 0; i < 250; i++)
            {
                for (int j = 0; j < 250; j++)
                {
                    double expected = ((1 - beta) * s[i, j]) + (beta * co[i, j]);
                    dense[(i * 250) + j].Should().BeApproximately((float)expected, 1e-6f);
                }
            }

            fused.Degrees().Should().OnlyContain(d => d <= 6 + 7, "a fused row has at most k + k_c entries");
            if (beta == 0f)
            {
                fused.ShouldEqual(knn.SymmetricNormalize(), 0f, "β = 0 is the plain modality graph");
            }

            if (beta == 1f)
            {
                fused.ShouldEqual(semanticGraph.CoInteraction.SymmetricNormalize(), 0f, "β = 1 is the pure co-interaction graph");
            }
        }

        semanticGraph.CoInteraction.ShouldEqual(Reference.CoInteraction(Data.Train, 7), 0f);
    }

    [Fact]
    public void A_tiny_memory_budget_builds_the_same_semantic_graph_in_many_blocks()
    {
        // 4 × 250 × 3 bytes: three rows of similarities per block, so each modality's kNN runs in 84 blocks.
        var tiny = SemanticGraph.Build(Data, new SemanticGraphOptions { Knn = new KnnGraphOptions { K = 6, MemoryBudgetBytes = 4 * 250 * 3 }, CoInteractionK = 7 });
        var whole = SemanticGraph.Build(Data, new SemanticGraphOptions { Knn = new KnnGraphOptions { K = 6, BlockRows = 250 }, CoInteractionK = 7 });

        tiny.CoInteraction.ShouldEqual(whole.CoInteraction, 0f);
        foreach (string m in Data.Modalities.Select(x => x.Name))
        {
            // Same neighbours; values may differ in the last bit, since BLAS sums in another order for other block shapes.
            tiny.ModalityGraph(m).ShouldEqual(whole.ModalityGraph(m), 1e-6f);
            tiny[m].ShouldEqual(whole[m], 1e-6f);
        }
    }

    [Fact]
    public void FromGraphs_rebuilds_the_same_graphs_from_the_stored_parts()
    {
        var semanticGraph = SemanticGraph.Build(Data);
        var parts = semanticGraph.Modalities.ToDictionary(m => m, semanticGraph.ModalityGraph);
        var again = SemanticGraph.FromGraphs(parts, semanticGraph.CoInteraction, semanticGraph.Beta);
        again.Modalities.Should().Equal(semanticGraph.Modalities);
        foreach (string m in semanticGraph.Modalities)
        {
            again[m].ShouldEqual(semanticGraph[m], 0f);
            again.Statistics(m).Should().BeEquivalentTo(semanticGraph.Statistics(m));
        }

        var bad = () => SemanticGraph.FromGraphs(new Dictionary<string, SparseGraph> { ["x"] = SparseGraph.Empty(3, 3) }, SparseGraph.Empty(250, 250), 2f);
        var e = bad.Should().Throw<GraphOptionsException>().Which;
        e.Problems.Should().HaveCount(2);
        e.Message.Should().Contain("beta: must be in [0, 1]; got 2").And.Contain("'x' is 3 × 3; it must be 250 × 250");
    }

    [Fact]
    public void Statistics_add_up_and_print()
    {
        var semanticGraph = SemanticGraph.Build(Data, new SemanticGraphOptions { Beta = 0.3f });
        foreach (string m in semanticGraph.Modalities)
        {
            var stats = semanticGraph.Statistics(m);
            var fused = semanticGraph[m];
            stats.FusedEdges.Should().Be(fused.NonZeroCount);
            (stats.EdgesFromModalityOnly + stats.EdgesFromCoInteractionOnly + stats.EdgesFromBoth).Should().Be(stats.FusedEdges);
            stats.DegreeHistogram.Sum().Should().Be(250);
            stats.IsolatedItems.Should().Be(fused.Degrees().Count(d => d == 0));
            stats.MaxDegree.Should().Be(fused.Degrees().Max());
            stats.ModalityEdges.Should().Be(semanticGraph.ModalityGraph(m).NonZeroCount);
            stats.CoInteractionEdges.Should().Be(semanticGraph.CoInteraction.NonZeroCount);
            (stats.ModalityWeightShare + stats.CoInteractionWeightShare).Should().BeApproximately(1.0, 1e-9);
            stats.ModalityWeightShare.Should().BeGreaterThan(0.3);
            string text = stats.ToString();
            text.Should().Contain($"Semantic graph '{m}' (β = 0.3)").And.Contain("degree histogram").And.Contain("weight share");
        }

        var plain = SemanticGraph.Build(Data, new SemanticGraphOptions { Beta = 0f });
        var s0 = plain.Statistics(plain.Modalities[0]);
        s0.EdgesFromCoInteractionOnly.Should().Be(0);
        s0.EdgesFromBoth.Should().Be(0);
        s0.CoInteractionWeightShare.Should().Be(0);
    }

    [Fact]
    public void Invalid_options_report_every_problem_at_once()
    {
        var options = new SemanticGraphOptions { Knn = new KnnGraphOptions { K = 0, MemoryBudgetBytes = -1 }, CoInteractionK = 250, Beta = -0.5f };
        var act = () => SemanticGraph.Build(Data, options);
        var e = act.Should().Throw<GraphOptionsException>().Which;
        e.Problems.Should().HaveCount(4);
        e.Problems.Select(p => p.Option).Should().BeEquivalentTo(
            ["SemanticGraphOptions.Knn.K", "SemanticGraphOptions.Knn.MemoryBudgetBytes", "SemanticGraphOptions.CoInteractionK", "SemanticGraphOptions.Beta"], "each problem names its option");
        e.Message.Should().Contain("SemanticGraphOptions.Knn.K: must be ≥ 1").And.Contain("SemanticGraphOptions.Knn.MemoryBudgetBytes: must be > 0 bytes; got -1")
            .And.Contain("SemanticGraphOptions.CoInteractionK: must be ≥ 1 and < the item count (250); got 250").And.Contain("SemanticGraphOptions.Beta: must be in [0, 1]; got -0.5");
        var noModality = () => SemanticGraph.Build(Data.WithModalities([]));
        noModality.Should().Throw<GraphOptionsException>().WithMessage("*no item modality*");
    }

    [Fact]
    public void Unknown_modality_names_the_modalities_there_are()
    {
        var semanticGraph = SemanticGraph.Build(Data);
        var act = () => semanticGraph["audio"];
        act.Should().Throw<KeyNotFoundException>().WithMessage($"The semantic graph has no modality 'audio'. Modalities: {string.Join(", ", semanticGraph.Modalities)}.");
    }

    [Fact]
    public void Progress_covers_every_stage()
    {
        var reports = new List<GraphBuildProgress>();
        SemanticGraph.Build(Data, progress: new KnnSimilarityGraphTests.SynchronousProgress<GraphBuildProgress>(reports.Add));
        reports.Select(r => r.Stage).Distinct().Should().Equal(GraphBuildStage.CoInteraction, GraphBuildStage.Similarity, GraphBuildStage.Fusion);
        reports.Where(r => r.Stage == GraphBuildStage.Similarity).Select(r => r.Modality).Distinct().Should().Equal(Data.Modalities.Select(m => m.Name));
    }
}
