using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Placement;
using Singer.Recommendation.Core;

namespace Singer.Recommendation.Orleans;

/// <summary>
/// Runs work items on a silo. One activation per dispatch (its key is job/item/attempt), deactivated when done; the
/// coordinator picks the silo through the runtime's placement hint, and without a hint the placement is random.
/// </summary>
[RandomPlacement]
internal sealed class TopKWorkerGrain : Grain, ITopKWorkerGrain
{
    private readonly SingerWorkerOptions _options;
    private readonly ILogger _logger;
    private readonly IWorkItemHook? _hook;
    private readonly FeatureSliceCache? _cache;
    private readonly WorkItemThreads? _threads;

    public TopKWorkerGrain(IOptions<SingerWorkerOptions> options, ILogger<TopKWorkerGrain> logger, IServiceProvider services)
    {
        _options = options.Value;
        _logger = logger;
        _hook = services.GetService<IWorkItemHook>();
        _cache = services.GetService<FeatureSliceCache>();
        _threads = services.GetService<WorkItemThreads>();
    }

    public Task<FeatureShape> DescribeAsync(FeatureSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        DeactivateOnIdle();
        return Task.FromResult(source.Describe(_options));
    }

    public async Task<PartialTopKLists> ComputeAsync(TopKWorkItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        string silo = RuntimeIdentity;
        try
        {
            if (_hook is not null)
            {
                await _hook.BeforeComputeAsync(item, silo, cancellationToken);
            }

            // Off the activation's scheduler, on the silo's work-item threads (see WorkItemThreads for why not the pool).
            var clock = Stopwatch.StartNew();
            var (result, read) = _threads is not null
                ? await _threads.RunAsync(() => Compute(item, cancellationToken), cancellationToken)
                : await Task.Run(() => Compute(item, cancellationToken), cancellationToken);
            Log.WorkItemDone(_logger, item.JobId, item.Id, item.Attempt, read, clock.Elapsed.TotalSeconds - read);
            return result with { Silo = silo, Seconds = clock.Elapsed.TotalSeconds };
        }
        finally
        {
            DeactivateOnIdle();
        }
    }

    private (PartialTopKLists Result, double ReadSeconds) Compute(TopKWorkItem item, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var rows = Read(item.Rows, item.RowCount, item, "row block", cancellationToken);
        var columns = item.Rows == item.Columns ? rows : Read(item.Columns, item.ColumnCount, item, "column shard", cancellationToken);
        double read = clock.Elapsed.TotalSeconds;
        return (KernelAdapter.Compute(item, rows, columns, cancellationToken), read);
    }

    private ItemModality Read(FeatureSource source, int expectedRows, TopKWorkItem item, string what, CancellationToken cancellationToken)
    {
        var features = source.Read(_options, _cache, cancellationToken);
        if (features.ItemCount != expectedRows || features.Dimension != item.Dimension)
        {
            throw new FeatureSourceException(
                $"The {what} of {item} read {features.ItemCount:N0} × {features.Dimension} values from '{source.Name}' but the job expects {expectedRows:N0} × {item.Dimension}; was a feature file replaced while the job ran?");
        }

        return features;
    }
}

/// <summary>A test hook a silo may register: called before each work item is computed.</summary>
internal interface IWorkItemHook
{
    Task BeforeComputeAsync(TopKWorkItem item, string silo, CancellationToken cancellationToken);
}
