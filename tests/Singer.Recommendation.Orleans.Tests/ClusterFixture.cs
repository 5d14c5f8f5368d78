using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.TestingHost;
using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;

namespace Singer.Recommendation.Orleans.Tests;

/// <summary>All cluster tests run one after another: the silos share the machine's two cores and the static hook.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterGroup : ICollectionFixture<ClusterFixture>
{
    public const string Name = "Orleans cluster";
}

/// <summary>A 3-silo in-process test cluster shared by the tests that do not stop silos.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await Clusters.StartAsync(3);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

internal static class Clusters
{
    /// <summary>Every test ends within this (a hang fails the test instead of the run).</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    public static async Task<TestCluster> StartAsync(int silos)
    {
        var builder = new TestClusterBuilder((short)silos);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync().WaitAsync(Deadline);
        return cluster;
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddSingerRecommendationWorkers();
            siloBuilder.Services.AddSingleton<IWorkItemHook>(TestHook.Instance);
        }
    }
}

/// <summary>
/// The silos' hook (process-wide: the silos are in-process). A test sets <see cref="Before"/> to hold or watch work
/// items; it is cleared after each test.
/// </summary>
internal sealed class TestHook : IWorkItemHook
{
    public static readonly TestHook Instance = new();

    public static Func<TopKWorkItem, string, CancellationToken, Task>? Before { get; set; }

    public Task BeforeComputeAsync(TopKWorkItem item, string silo, CancellationToken cancellationToken) =>
        Before?.Invoke(item, silo, cancellationToken) ?? Task.CompletedTask;
}

/// <summary>Test data: random features with exact ties (repeated rows) and zero rows.</summary>
internal static class Features
{
    public static ItemModality WithTiesAndZeroRows(int items, int dimension, int seed, string name = "text")
    {
        var random = new Random(seed);
        var values = new float[items * dimension];
        for (int i = 0; i < items; i++)
        {
            var row = values.AsSpan(i * dimension, dimension);
            if (i % 11 == 5)
            {
                continue; // a zero row: similarity 0 with everything
            }

            if (i % 7 == 3 && i >= 7)
            {
                values.AsSpan((i - 7) * dimension, dimension).CopyTo(row); // an exact duplicate: ties
                continue;
            }

            for (int c = 0; c < dimension; c++)
            {
                // Small integers make many equal cosines across different rows too.
                row[c] = random.Next(-2, 4);
            }
        }

        return new ItemModality(name, items, dimension, values, takeOwnership: true);
    }

    public static string WriteNpy(ItemModality modality)
    {
        string path = Path.Combine(Path.GetTempPath(), $"singer-orleans-{Guid.NewGuid():N}.npy");
        NpyFile.Write(path, modality);
        return path;
    }
}

/// <summary>Graph comparison with a readable failure.</summary>
internal static class GraphAssertions
{
    public static void ShouldEqual(this SparseGraph actual, SparseGraph expected)
    {
        actual.RowCount.Should().Be(expected.RowCount);
        actual.ColumnCount.Should().Be(expected.ColumnCount);
        actual.RowOffsets.ToArray().Should().Equal(expected.RowOffsets.ToArray(), "every row keeps the same number of neighbours");
        actual.ColumnIndices.ToArray().Should().Equal(expected.ColumnIndices.ToArray(), "the neighbours are identical (ties to the lower index)");
        var a = actual.Values.ToArray();
        var e = expected.Values.ToArray();
        for (int i = 0; i < a.Length; i++)
        {
            Math.Abs(a[i] - e[i]).Should().BeLessThanOrEqualTo(1e-6f, $"entry {i} weighs {e[i]} on one machine");
        }
    }
}

/// <summary>Captures every progress report synchronously (Progress&lt;T&gt; would post them later).</summary>
internal sealed class Reports : IProgress<ClusterJobProgress>
{
    private readonly List<ClusterJobProgress> _reports = [];

    public Action<ClusterJobProgress>? OnReport { get; set; }

    public ClusterJobProgress Last
    {
        get
        {
            lock (_reports)
            {
                return _reports[^1];
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_reports)
            {
                return _reports.Count;
            }
        }
    }

    public void Report(ClusterJobProgress value)
    {
        lock (_reports)
        {
            _reports.Add(value);
        }

        OnReport?.Invoke(value);
    }
}

internal static class Hold
{
    /// <summary>Waits for <paramref name="signal"/> or the timeout, whichever comes first, without throwing.</summary>
    public static async Task Until(Task signal, TimeSpan timeout)
    {
        await Task.WhenAny(signal, Task.Delay(timeout, CancellationToken.None));
    }
}
