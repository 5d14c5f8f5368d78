using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Singer.Recommendation.Orleans;

/// <summary>
/// The threads that run a silo's work items: a few long-lived threads (<see cref="SingerWorkerOptions.WorkItemThreads"/>),
/// not the thread pool and not a new thread per work item. The kernel's work arrays (the normalised shard, the block of
/// scores: hundreds of MB at 10⁵ columns) come from <c>ArrayPool&lt;float&gt;.Shared</c>, which keeps one array of each
/// size per thread: on a fixed thread every work item reuses the previous one's arrays and pages. On pool threads each
/// thread that ever ran a work item kept its own copies (a silo's peak memory grew from job to job), and on a new thread
/// per work item every array was fresh memory again (1.6× the CPU time, page faults).
/// </summary>
internal sealed class WorkItemThreads : IDisposable
{
    private readonly BlockingCollection<Action> _queue = [];
    private readonly Thread[] _threads;

    public WorkItemThreads(IOptions<SingerWorkerOptions> options)
    {
        int count = Math.Max(1, options.Value.WorkItemThreads);
        _threads = new Thread[count];
        for (int i = 0; i < count; i++)
        {
            _threads[i] = new Thread(Run) { IsBackground = true, Name = $"Singer work items {i}" };
            _threads[i].Start();
        }
    }

    /// <summary>Runs <paramref name="work"/> on one of the threads (queued while all are busy).</summary>
    public Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add(() =>
        {
            if (cancellationToken.IsCancellationRequested)
            {
                completion.TrySetCanceled(cancellationToken);
                return;
            }

            try
            {
                completion.TrySetResult(work());
            }
            catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
            {
                completion.TrySetCanceled(e.CancellationToken);
            }
            catch (Exception e)
            {
                completion.TrySetException(e);
            }
        }, CancellationToken.None);
        return completion.Task;
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        foreach (var thread in _threads)
        {
            thread.Join(TimeSpan.FromSeconds(5));
        }

        _queue.Dispose();
    }

    private void Run()
    {
        foreach (var work in _queue.GetConsumingEnumerable())
        {
            work();
        }
    }
}
