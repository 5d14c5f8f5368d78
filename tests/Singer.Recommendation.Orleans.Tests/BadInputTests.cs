using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;

namespace Singer.Recommendation.Orleans.Tests;

/// <summary>Bad input fails at once with a message that says what and how to fix it; no test can hang (a deadline on each).</summary>
[Collection(ClusterGroup.Name)]
public sealed class BadInputTests(ClusterFixture fixture)
{
    private static readonly ItemModality Data = Features.WithTiesAndZeroRows(40, 6, seed: 11);

    [Fact]
    public async Task Mismatched_dimensions_are_reported_with_both_dimensions()
    {
        var users = Features.WithTiesAndZeroRows(10, 8, seed: 1, name: "users");
        var items = Features.WithTiesAndZeroRows(20, 6, seed: 2, name: "items");

        var error = await FluentActions.Awaiting(() => OrleansTopK.RecommendAllAsync(
                fixture.Cluster.Client, FeatureSource.FromModality(users), FeatureSource.FromModality(items), 5).WaitAsync(Clusters.Deadline))
            .Should().ThrowAsync<GraphOptionsException>();
        error.Which.Message.Should().Contain("8-d").And.Contain("6-d");
    }

    [Fact]
    public async Task Feature_rows_that_differ_from_the_item_count_are_reported_per_modality()
    {
        var data = SyntheticDataGenerator.Generate();
        var error = await FluentActions.Awaiting(() => OrleansSemanticGraph.BuildAsync(
                fixture.Cluster.Client, data, [FeatureSource.FromModality(Data)]).WaitAsync(Clusters.Deadline))
            .Should().ThrowAsync<GraphOptionsException>();
        error.Which.Message.Should().Contain($"has 40 rows but the data set has {data.ItemCount:N0} items");
    }

    [Fact]
    public async Task A_missing_feature_file_names_the_file()
    {
        string path = Path.Combine(Path.GetTempPath(), $"singer-missing-{Guid.NewGuid():N}.npy");
        var error = await FluentActions.Awaiting(() => OrleansSemanticGraph.BuildKnnGraphAsync(
                fixture.Cluster.Client, FeatureSource.FromNpy(path)).WaitAsync(Clusters.Deadline))
            .Should().ThrowAsync<FeatureSourceException>();
        error.Which.Message.Should().Contain(path).And.Contain("not found").And.Contain("every silo mounts");
    }

    [Fact]
    public async Task A_truncated_feature_file_is_refused_before_any_row_is_read()
    {
        string path = Features.WriteNpy(Data);
        try
        {
            using (var file = new FileStream(path, FileMode.Open))
            {
                file.SetLength(file.Length - 10);
            }

            var error = await FluentActions.Awaiting(() => OrleansSemanticGraph.BuildKnnGraphAsync(
                    fixture.Cluster.Client, FeatureSource.FromNpy(path)).WaitAsync(Clusters.Deadline))
                .Should().ThrowAsync<FeatureSourceException>();
            error.Which.Message.Should().Contain("truncated");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_feature_file_with_nan_names_the_row()
    {
        var values = Data.Values.ToArray();
        values[(17 * 6) + 2] = float.NaN;
        string path = Path.Combine(Path.GetTempPath(), $"singer-nan-{Guid.NewGuid():N}.npy");
        NpyFile.Write(path, 40, 6, values);
        try
        {
            var error = await FluentActions.Awaiting(() => OrleansSemanticGraph.BuildKnnGraphAsync(
                    fixture.Cluster.Client, FeatureSource.FromNpy(path), null, new ClusterJobOptions { RowBlocks = 3 }).WaitAsync(Clusters.Deadline))
                .Should().ThrowAsync<FeatureSourceException>();
            error.Which.Message.Should().Contain("row 17, column 2 is NaN");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(40, false)]
    [InlineData(41, true)]
    public async Task K_of_at_least_the_item_count_is_refused(int k, bool includeSelf)
    {
        var error = await FluentActions.Awaiting(() => OrleansSemanticGraph.BuildKnnGraphAsync(
                fixture.Cluster.Client, FeatureSource.FromModality(Data), new KnnGraphOptions { K = k, IncludeSelf = includeSelf }).WaitAsync(Clusters.Deadline))
            .Should().ThrowAsync<GraphOptionsException>();
        error.Which.Message.Should().Contain("K: must be ≥ 1 and").And.Contain("item count (40)").And.Contain($"got {k}.");
    }

    [Fact]
    public async Task An_export_k_above_the_item_count_is_refused()
    {
        var error = await FluentActions.Awaiting(() => OrleansTopK.RecommendAllAsync(
                fixture.Cluster.Client, FeatureSource.FromModality(Data), FeatureSource.FromModality(Data), 41).WaitAsync(Clusters.Deadline))
            .Should().ThrowAsync<GraphOptionsException>();
        error.Which.Message.Should().Contain("k: must be ≥ 1 and ≤ the item count (40); got 41");
    }

    [Fact]
    public async Task A_grid_with_an_empty_shard_or_block_is_refused_with_every_problem()
    {
        var error = await FluentActions.Awaiting(() => OrleansSemanticGraph.BuildKnnGraphAsync(
                fixture.Cluster.Client, FeatureSource.FromModality(Data), new KnnGraphOptions { K = 0 },
                new ClusterJobOptions { ColumnShards = 41, RowBlocks = 0, WorkItemTimeout = TimeSpan.Zero }).WaitAsync(Clusters.Deadline))
            .Should().ThrowAsync<GraphOptionsException>();
        error.Which.Problems.Should().HaveCount(4);
        error.Which.Problems.Select(p => p.Option).Should().BeEquivalentTo(
            ["KnnGraphOptions.K", "ClusterJobOptions.ColumnShards", "ClusterJobOptions.RowBlocks", "ClusterJobOptions.WorkItemTimeout"]);
        error.Which.Message.Should().Contain("ClusterJobOptions.ColumnShards: more column shards than the 40 columns would leave a shard empty")
            .And.Contain("ClusterJobOptions.RowBlocks: must be ≥ 1").And.Contain("KnnGraphOptions.K: must be ≥ 1").And.Contain("WorkItemTimeout");
    }

    [Fact]
    public async Task Reduced_precision_is_refused_on_the_cluster()
    {
        var error = await FluentActions.Awaiting(() => OrleansSemanticGraph.BuildKnnGraphAsync(
                fixture.Cluster.Client, FeatureSource.FromModality(Data), new KnnGraphOptions { Precision = KnnPrecision.BFloat16 }).WaitAsync(Clusters.Deadline))
            .Should().ThrowAsync<GraphOptionsException>();
        error.Which.Message.Should().Contain("Float32");
    }

    [Fact]
    public async Task The_exclusion_matrix_must_match_the_embeddings()
    {
        var seen = UserItemMatrix.FromPairs(3, 40, [0], [1]);
        var error = await FluentActions.Awaiting(() => OrleansTopK.RecommendAllAsync(
                fixture.Cluster.Client, FeatureSource.FromModality(Data), FeatureSource.FromModality(Data), 5, seen).WaitAsync(Clusters.Deadline))
            .Should().ThrowAsync<GraphOptionsException>();
        error.Which.Message.Should().Contain("3 users × 40 items but the embeddings are 40 users × 40 items");
    }
}
