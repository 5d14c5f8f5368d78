using Orleans.TestingHost;
using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;

namespace Singer.Recommendation.Orleans.Tests;

/// <summary>
/// Silos that stop, crash or lag while work items are in flight: the job completes with the single-machine graph, and
/// no work item is merged twice (a second result is counted as a duplicate and ignored; the merge itself refuses a
/// work item it has seen). Each test has its own 3-silo cluster.
/// </summary>
[Collection(ClusterGroup.Name)]
public sealed class FaultTests : IDisposable
{
    private static readonly ItemModality Data = Features.WithTiesAndZeroRows(480, 16, seed: 21);
    private static readonly KnnGraphOptions Options = new() { K = 10 };
    private static readonly Lazy<SparseGraph> Expected = new(() => KnnSimilarityGraph.Build(Data, Options));

    public void Dispose() => TestHook.Before = null;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_silo_that_stops_or_is_killed_mid_job_changes_nothing(bool kill)
    {
        await using var cluster = await Clusters.StartAsync(3);
        var victim = cluster.SecondarySilos[0];
        string victimId = victim.SiloAddress.ToString();
        var inFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int onVictim = 0;
        TestHook.Before = async (item, silo, _) =>
        {
            if (silo == victimId)
            {
                Interlocked.Increment(ref onVictim);
                inFlight.TrySetResult();
                await Hold.Until(release.Task, TimeSpan.FromSeconds(30));
            }
        };
        var reports = new Reports();

        var build = OrleansSemanticGraph.BuildKnnGraphAsync(
            cluster.Client, FeatureSource.FromModality(Data), Options,
            new ClusterJobOptions { RowBlocks = 8, ColumnShards = 2, WorkItemTimeout = TimeSpan.FromSeconds(4) }, reports);
        await inFlight.Task.WaitAsync(Clusters.Deadline);
        if (kill)
        {
            await cluster.KillSiloAsync(victim).WaitAsync(Clusters.Deadline);
        }
        else
        {
            var stop = cluster.StopSiloAsync(victim);
            release.TrySetResult(); // a graceful stop lets the running request finish (or not): both must work
            await stop.WaitAsync(Clusters.Deadline);
        }

        release.TrySetResult();
        var graph = await build.WaitAsync(Clusters.Deadline);

        graph.ShouldEqual(Expected.Value);
        onVictim.Should().BeGreaterThan(0, "a work item was in flight on the silo when it went");
        reports.Last.CompletedWorkItems.Should().Be(16, "each work item is merged once (the merge refuses a second time)");
        reports.Last.TotalWorkItems.Should().Be(16);
        if (kill)
        {
            reports.Last.ReissuedWorkItems.Should().BeGreaterThan(0, "the killed silo's work item never answered");
        }
    }

    [Fact]
    public async Task A_late_result_after_a_reissue_is_ignored_as_a_duplicate()
    {
        await using var cluster = await Clusters.StartAsync(3);
        var secondStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var duplicateSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        const int Slow = 0, Last = 15;
        TestHook.Before = async (item, _, _) =>
        {
            if (item.Id == Slow && item.Attempt == 1)
            {
                // Times out (1 s), is issued again, and answers once the second copy runs: two results for one item.
                await Hold.Until(secondStarted.Task, TimeSpan.FromSeconds(30));
            }
            else if (item.Id == Slow)
            {
                secondStarted.TrySetResult();
            }
            else if (item.Id == Last)
            {
                // Keeps the job open until the duplicate has arrived.
                await Hold.Until(duplicateSeen.Task, TimeSpan.FromSeconds(30));
            }
        };
        var reports = new Reports { OnReport = p => { if (p.DuplicateResults > 0) duplicateSeen.TrySetResult(); } };

        var graph = await OrleansSemanticGraph.BuildKnnGraphAsync(
            cluster.Client, FeatureSource.FromModality(Data), Options,
            new ClusterJobOptions { RowBlocks = 8, ColumnShards = 2, WorkItemTimeout = TimeSpan.FromSeconds(1), MaxAttempts = 30 }, reports)
            .WaitAsync(Clusters.Deadline);

        graph.ShouldEqual(Expected.Value);
        reports.Last.DuplicateResults.Should().BeGreaterThan(0);
        reports.Last.ReissuedWorkItems.Should().BeGreaterThan(0);
        reports.Last.CompletedWorkItems.Should().Be(16);
        reports.Last.ActiveSilos.Should().Be(3, "timeouts alone do not retire a silo");
    }

    [Fact]
    public async Task A_job_without_any_silo_left_fails_with_a_clear_error()
    {
        await using var cluster = await Clusters.StartAsync(1);
        TestHook.Before = (_, _, token) => Task.Delay(TimeSpan.FromSeconds(30), token);

        var error = await FluentActions.Awaiting(() => OrleansSemanticGraph.BuildKnnGraphAsync(
                cluster.Client, FeatureSource.FromModality(Data), Options,
                new ClusterJobOptions { RowBlocks = 2, WorkItemTimeout = TimeSpan.FromMilliseconds(300), MaxAttempts = 2 }).WaitAsync(Clusters.Deadline))
            .Should().ThrowAsync<ClusterJobException>();
        error.Which.Message.Should().Contain("did not complete in 2 attempts").And.Contain("WorkItemTimeout");
    }
}
