using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Singer.Recommendation.Orleans;

/// <summary>
/// Runs the work items of one job on the cluster's silos and hands each result to the merge exactly once.
/// </summary>
/// <remarks>
/// <para>Each active silo gets <see cref="ClusterJobOptions.WorkItemsPerSilo"/> dispatch loops. A loop takes the next work
/// item from a shared queue and calls a fresh worker activation (key job/item/attempt) placed on its silo through the
/// runtime's placement hint (<see cref="IPlacementDirector.PlacementHintKey"/>), so a silo that finishes early takes more
/// work (a pull schedule, no static assignment).</para>
/// <para>Failures: a call that fails is put back on the queue (a re-issue) and runs on whichever silo takes it next; a
/// call without a result after <see cref="ClusterJobOptions.WorkItemTimeout"/> is issued again too, but is not
/// abandoned: whichever result arrives first is merged and the other counted as a duplicate and ignored (results are
/// keyed by work item id). A silo that left the membership, or failed twice in a row, is retired from the job; new
/// silos that join are used. Bad input (<see cref="FeatureSourceException"/>, <see cref="ArgumentException"/>) is not
/// retried: every silo would fail the same way.</para>
/// </remarks>
internal sealed partial class WorkItemCoordinator
{
    private static readonly TimeSpan MembershipRefresh = TimeSpan.FromSeconds(2);

    private readonly IGrainFactory _grains;
    private readonly string _job;
    private readonly IReadOnlyList<TopKWorkItem> _items;
    private readonly Action<PartialTopKLists> _merge;
    private readonly ClusterJobOptions _options;
    private readonly IProgress<ClusterJobProgress>? _progress;
    private readonly ILogger _logger;
    private readonly Channel<int> _queue = Channel.CreateUnbounded<int>();
    private readonly int[] _attempts;
    private readonly int[] _done;
    private readonly Exception?[] _lastError;
    private readonly TaskCompletionSource _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<SiloAddress, SiloState> _silos = new();
    private readonly Stopwatch _clock = new();
    private int _completed;
    private int _reissued;
    private int _duplicates;
    private long _lastLogTicks;

    public WorkItemCoordinator(
        IGrainFactory grains, string job, IReadOnlyList<TopKWorkItem> items, Action<PartialTopKLists> merge,
        ClusterJobOptions options, IProgress<ClusterJobProgress>? progress, ILogger logger)
    {
        _grains = grains;
        _job = job;
        _items = items;
        _merge = merge;
        _options = options;
        _progress = progress;
        _logger = logger;
        _attempts = new int[items.Count];
        _done = new int[items.Count];
        _lastError = new Exception?[items.Count];
        JobId = items.Count > 0 ? items[0].JobId : Guid.NewGuid();
    }

    public Guid JobId { get; }

    /// <summary>The final counts (valid after <see cref="RunAsync"/>).</summary>
    public ClusterJobProgress Summary => Snapshot();

    /// <summary>The silos that are active now.</summary>
    public static async Task<IReadOnlyList<SiloAddress>> ActiveSilosAsync(IGrainFactory grains, CancellationToken cancellationToken)
    {
        try
        {
            var management = grains.GetGrain<IManagementGrain>(0);
            var request = management.GetHosts(onlyActive: true, cancellationToken);
            var hosts = await request.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            return hosts.Where(h => h.Value == SiloStatus.Active).Select(h => h.Key).OrderBy(s => s.ToString(), StringComparer.Ordinal).ToArray();
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new ClusterJobException($"The cluster's membership could not be read ({e.GetType().Name}: {e.Message}); is the client connected?", e);
        }
    }

    /// <summary>Runs every work item; returns when each is merged.</summary>
    /// <exception cref="ClusterJobException">A work item failed on every attempt, or no silo is left.</exception>
    /// <exception cref="FeatureSourceException">A silo could not read the features (not retried).</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public async Task RunAsync(IReadOnlyList<SiloAddress> silos, CancellationToken cancellationToken)
    {
        _clock.Start();
        if (_items.Count == 0)
        {
            return;
        }

        for (int i = 0; i < _items.Count; i++)
        {
            _queue.Writer.TryWrite(i);
        }

        using var job = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var loops = new List<Task>();
        try
        {
            Start(silos, loops, job.Token);
            while (!_outcome.Task.IsCompleted)
            {
                using var wake = CancellationTokenSource.CreateLinkedTokenSource(job.Token);
                var running = loops.Where(l => !l.IsCompleted).ToList();
                var delay = Task.Delay(MembershipRefresh, wake.Token);
                await Task.WhenAny([_outcome.Task, delay, .. running]).ConfigureAwait(false);
                wake.Cancel();
                cancellationToken.ThrowIfCancellationRequested();
                if (_outcome.Task.IsCompleted)
                {
                    break;
                }

                // New silos join the job; when every loop has ended, the job needs a usable silo or it cannot finish.
                IReadOnlyList<SiloAddress> active;
                try
                {
                    active = await ActiveSilosAsync(_grains, job.Token).ConfigureAwait(false);
                }
                catch (ClusterJobException) when (loops.Any(l => !l.IsCompleted))
                {
                    continue;
                }

                Start(active, loops, job.Token);
                if (loops.All(l => l.IsCompleted) && !_outcome.Task.IsCompleted)
                {
                    int left = _done.Count(d => d == 0);
                    var last = _lastError.LastOrDefault(e => e is not null);
                    _outcome.TrySetException(new ClusterJobException(
                        $"Job '{_job}': no usable silo is left ({_silos.Count} used, {_silos.Values.Count(s => s.Retired)} retired after failures or timeouts) and {left} of {_items.Count} work items are not done."
                        + (last is null ? "" : $" Last error: {last.Message}"), last ?? new InvalidOperationException("No silo.")));
                }
            }

            await _outcome.Task.ConfigureAwait(false);
            Log.JobFinished(_logger, JobId, _job, _clock.Elapsed.TotalSeconds, _items.Count, _reissued, _duplicates);
        }
        finally
        {
            // Stops stragglers (their silos see the cancellation between blocks) and the idle loops.
            _queue.Writer.TryComplete();
            await job.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or TimeoutException)
            {
            }
        }
    }

    private void Start(IReadOnlyList<SiloAddress> silos, List<Task> loops, CancellationToken token)
    {
        bool added = false;
        foreach (var silo in silos)
        {
            var state = new SiloState();
            if (!_silos.TryAdd(silo, state))
            {
                continue;
            }

            added = true;

            for (int slot = 0; slot < _options.WorkItemsPerSilo; slot++)
            {
                loops.Add(Task.Run(() => LoopAsync(silo, state, token), CancellationToken.None));
            }
        }

        if (added)
        {
            Report();
        }
    }

    private async Task LoopAsync(SiloAddress silo, SiloState state, CancellationToken token)
    {
        try
        {
            while (await _queue.Reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                if (state.Retired)
                {
                    return;
                }

                if (!_queue.Reader.TryRead(out int id) || Volatile.Read(ref _done[id]) != 0)
                {
                    continue;
                }

                int attempt = Interlocked.Increment(ref _attempts[id]);
                var item = _items[id] with { Attempt = attempt };
                if (attempt > _options.MaxAttempts)
                {
                    var last = _lastError[id];
                    _outcome.TrySetException(new ClusterJobException(
                        $"Job '{_job}': {item} did not complete in {_options.MaxAttempts} attempts ({nameof(ClusterJobOptions.MaxAttempts)}). Last error: {last?.Message ?? "none"}",
                        last ?? new TimeoutException("No result.")));
                    return;
                }

                if (!await DispatchAsync(silo, state, item, token).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _outcome.TrySetException(e);
        }
    }

    private void Report() => _progress?.Report(Snapshot());

    private ClusterJobProgress Snapshot() => new(
        _job,
        Volatile.Read(ref _completed),
        _items.Count,
        Volatile.Read(ref _reissued),
        Volatile.Read(ref _duplicates),
        _silos.Values.Count(s => !s.Retired),
        _clock.Elapsed);
}
