using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Singer.Recommendation.Orleans;

// One dispatch of a work item to a silo, the re-issue after a failure or a timeout, and the check and merge of a
// result (a duplicate late result is counted, not merged twice); the per-silo state the loops keep.
internal sealed partial class WorkItemCoordinator
{
    /// <summary>One dispatch; false when this loop should end (its silo retired or the job failed).</summary>
    private async Task<bool> DispatchAsync(SiloAddress silo, SiloState state, TopKWorkItem item, CancellationToken token)
    {
        Task<PartialTopKLists> call;
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);
        try
        {
            call = _grains.GetGrain<ITopKWorkerGrain>($"{JobId:N}/{item.Id}/{item.Attempt}").ComputeAsync(item, token);
        }
        finally
        {
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        }

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(token);
        var timeout = Task.Delay(_options.WorkItemTimeout, timer.Token);
        var first = await Task.WhenAny(call, timeout).ConfigureAwait(false);
        await timer.CancelAsync().ConfigureAwait(false);
        token.ThrowIfCancellationRequested();
        if (first != call)
        {
            // Not abandoned: a late result from this silo is merged if it comes first.
            _ = call.ContinueWith(
                t =>
                {
                    if (t.IsCompletedSuccessfully)
                    {
                        Accept(item, t.Result);
                    }
                    else
                    {
                        _ = t.Exception; // observed: the re-issue has taken over
                    }
                },
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            var reason = new TimeoutException($"no result after {_options.WorkItemTimeout} ({nameof(ClusterJobOptions.WorkItemTimeout)})");
            return await FailedAsync(silo, state, item, reason, countsAgainstSilo: false, token).ConfigureAwait(false);
        }

        try
        {
            var result = await call.ConfigureAwait(false);
            Volatile.Write(ref state.ConsecutiveFailures, 0);
            Accept(item, result);
            return true;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is FeatureSourceException or ArgumentException)
        {
            // Bad input fails the same way on every silo.
            _outcome.TrySetException(e);
            return false;
        }
        catch (Exception e)
        {
            return await FailedAsync(silo, state, item, e, countsAgainstSilo: true, token).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Re-queues a work item after a failure or a timeout. The loop ends when its silo left the membership, or after
    /// two errors in a row there; a timeout alone does not count against the silo (it may be slow, and its late result
    /// is still taken), so a loaded cluster does not retire its silos.
    /// </summary>
    private async Task<bool> FailedAsync(SiloAddress silo, SiloState state, TopKWorkItem item, Exception error, bool countsAgainstSilo, CancellationToken token)
    {
        _lastError[item.Id] = error;
        Interlocked.Increment(ref _reissued);
        Log.WorkItemReissued(_logger, JobId, item.ToString(), silo.ToString(), item.Attempt, $"{error.GetType().Name}: {error.Message}");
        if (Volatile.Read(ref _done[item.Id]) == 0)
        {
            _queue.Writer.TryWrite(item.Id);
        }

        Report();
        bool active;
        try
        {
            active = (await ActiveSilosAsync(_grains, token).ConfigureAwait(false)).Contains(silo);
        }
        catch (ClusterJobException)
        {
            active = false;
        }

        if (!active || (countsAgainstSilo && Interlocked.Increment(ref state.ConsecutiveFailures) >= 2))
        {
            state.Retired = true;
            Log.SiloRetired(_logger, JobId, silo.ToString(), active ? "two failures in a row" : "it left the cluster");
            return false;
        }

        return true;
    }

    private void Accept(TopKWorkItem item, PartialTopKLists result)
    {
        if (Interlocked.Exchange(ref _done[item.Id], 1) != 0)
        {
            Interlocked.Increment(ref _duplicates);
            Report();
            return;
        }

        try
        {
            Check(item, result);
            _merge(result);
        }
        catch (Exception e)
        {
            _outcome.TrySetException(e);
            return;
        }

        int completed = Interlocked.Increment(ref _completed);
        Report();
        long now = _clock.ElapsedTicks, last = Interlocked.Read(ref _lastLogTicks);
        if (now - last > Stopwatch.Frequency * 10 && Interlocked.CompareExchange(ref _lastLogTicks, now, last) == last)
        {
            Log.JobProgress(_logger, JobId, completed, _items.Count, _clock.Elapsed.TotalSeconds);
        }

        if (completed == _items.Count)
        {
            _queue.Writer.TryComplete();
            _outcome.TrySetResult();
        }
    }

    /// <summary>A result must have one list per row of its block, each within k, with columns inside the item's shard.</summary>
    private static void Check(TopKWorkItem item, PartialTopKLists result)
    {
        long total = 0;
        bool ok = result.WorkItemId == item.Id && result.RowStart == item.RowStart && result.Counts.Length == item.RowCount;
        foreach (int n in result.Counts)
        {
            ok &= n >= 0 && n <= item.K;
            total += n;
        }

        ok &= total == result.Columns.Length && total == result.Values.Length;
        foreach (int c in result.Columns)
        {
            ok &= c >= item.ColumnStart && c < item.ColumnStart + item.ColumnCount;
        }

        if (!ok)
        {
            throw new ClusterJobException($"The result of {item} from silo {result.Silo} is malformed (wrong rows, counts or columns); are all silos running the same version of Singer.Recommendation.Orleans?");
        }
    }

    private sealed class SiloState
    {
        public volatile bool Retired;
        public int ConsecutiveFailures;
    }
}
