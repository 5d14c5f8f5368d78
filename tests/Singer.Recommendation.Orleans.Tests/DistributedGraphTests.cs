using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;

namespace Singer.Recommendation.Orleans.Tests;

/// <summary>The distributed graph equals the single-machine graph on 3 silos, for several grids.</summary>
[Collection(ClusterGroup.Name)]
public sealed class DistributedGraphTests(ClusterFixture fixture) : IDisposable
{
    private static readonly ItemModality Data = Features.WithTiesAndZeroRows(157, 12, seed: 7);

    public void Dispose() => TestHook.Before = null;

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 1)]
    [InlineData(2, 3)]
    [InlineData(5, 4)] // more shards (and work items) than silos
    [InlineData(157, 1)] // one row per block
    public async Task Knn_graph_equals_the_single_machine_graph(int rowBlocks, int columnShards)
    {
        var options = new KnnGraphOptions { K = 10 };
        var expected = KnnSimilarityGraph.Build(Data, options);
        var reports = new Reports();

        var actual = await OrleansSemanticGraph.BuildKnnGraphAsync(
            fixture.Cluster.Client, FeatureSource.FromModality(Data), options,
            new ClusterJobOptions { RowBlocks = rowBlocks, ColumnShards = columnShards }, reports).WaitAsync(Clusters.Deadline);

        actual.ShouldEqual(expected);
        reports.Last.CompletedWorkItems.Should().Be(rowBlocks * columnShards);
        reports.Last.TotalWorkItems.Should().Be(rowBlocks * columnShards);
        reports.Last.DuplicateResults.Should().Be(0);
        // The test data has zero rows (no edges) and exact ties; the comparison above covers them. Check they are there.
        expected.ColumnsOf(5).Length.Should().Be(0);
        KnnSimilarityGraph.Build(Data, options).ColumnsOf(10).ToArray().Should().Contain(3, "row 10 repeats row 3: their cosine is 1, the highest");
    }

    [Theory]
    [InlineData(KnnEdgeWeight.Binary, true, 2, 3)]
    [InlineData(KnnEdgeWeight.Binary, false, 3, 5)]
    [InlineData(KnnEdgeWeight.Cosine, true, 4, 2)]
    public async Task Weights_and_self_loops_follow_the_single_machine_rules(KnnEdgeWeight weight, bool includeSelf, int rowBlocks, int columnShards)
    {
        var options = new KnnGraphOptions { K = 7, Weight = weight, IncludeSelf = includeSelf, BlockRows = 16 };
        var expected = KnnSimilarityGraph.Build(Data, options);

        var actual = await OrleansSemanticGraph.BuildKnnGraphAsync(
            fixture.Cluster.Client, FeatureSource.FromModality(Data), options,
            new ClusterJobOptions { RowBlocks = rowBlocks, ColumnShards = columnShards }).WaitAsync(Clusters.Deadline);

        actual.ShouldEqual(expected);
    }

    [Fact]
    public async Task Features_read_from_a_npy_file_by_row_ranges_give_the_same_graph()
    {
        string path = Features.WriteNpy(Data);
        try
        {
            var expected = KnnSimilarityGraph.Build(Data);
            var actual = await OrleansSemanticGraph.BuildKnnGraphAsync(
                fixture.Cluster.Client, FeatureSource.FromNpy(path, "text"), null,
                new ClusterJobOptions { RowBlocks = 3, ColumnShards = 2 }).WaitAsync(Clusters.Deadline);
            actual.ShouldEqual(expected);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task The_semantic_graph_equals_the_single_machine_one()
    {
        var data = SyntheticDataGenerator.Generate();
        var options = new SemanticGraphOptions { Beta = 0.3f, CoInteractionK = 10, Knn = new KnnGraphOptions { K = 10 } };
        var expected = SemanticGraph.Build(data, options);

        var actual = await OrleansSemanticGraph.BuildAsync(
            fixture.Cluster.Client, data, null, options, new ClusterJobOptions { RowBlocks = 3, ColumnShards = 2 }).WaitAsync(Clusters.Deadline);

        actual.Modalities.Should().Equal(expected.Modalities);
        actual.Beta.Should().Be(expected.Beta);
        actual.CoInteraction.ShouldEqual(expected.CoInteraction);
        foreach (string m in expected.Modalities)
        {
            actual.ModalityGraph(m).ShouldEqual(expected.ModalityGraph(m));
            actual[m].ShouldEqual(expected[m]);
        }
    }

    [Fact]
    public async Task The_default_grid_uses_every_silo()
    {
        var reports = new Reports();
        var silos = new HashSet<string>();
        var allThere = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        TestHook.Before = async (_, silo, _) =>
        {
            lock (silos)
            {
                silos.Add(silo);
                if (silos.Count == 3)
                {
                    allThere.TrySetResult();
                }
            }

            // Hold each work item until every silo has one, so that no fast silo takes two.
            await Hold.Until(allThere.Task, TimeSpan.FromSeconds(10));
        };

        var actual = await OrleansSemanticGraph.BuildKnnGraphAsync(fixture.Cluster.Client, FeatureSource.FromModality(Data), progress: reports).WaitAsync(Clusters.Deadline);

        actual.ShouldEqual(KnnSimilarityGraph.Build(Data));
        reports.Last.TotalWorkItems.Should().Be(3, "157 rows make one round of 4,096-row blocks, one per silo");
        reports.Last.ActiveSilos.Should().Be(3);
        silos.Should().HaveCount(3, "each silo's slot pulls a work item");
    }

    [Fact]
    public async Task Cancelling_stops_the_job()
    {
        using var cancellation = new CancellationTokenSource();
        TestHook.Before = async (_, _, token) =>
        {
            await cancellation.CancelAsync();
            await Task.Delay(TimeSpan.FromSeconds(30), token);
        };

        var build = OrleansSemanticGraph.BuildKnnGraphAsync(
            fixture.Cluster.Client, FeatureSource.FromModality(Data), null, new ClusterJobOptions { RowBlocks = 6 }, cancellationToken: cancellation.Token);

        await FluentActions.Awaiting(() => build.WaitAsync(TimeSpan.FromSeconds(20))).Should().ThrowAsync<OperationCanceledException>();
    }
}
