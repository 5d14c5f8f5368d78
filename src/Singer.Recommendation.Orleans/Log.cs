using Microsoft.Extensions.Logging;

namespace Singer.Recommendation.Orleans;

/// <summary>The package's log messages (source-generated).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Debug, Message = "Job {JobId}: work item {WorkItem} (attempt {Attempt}): features read in {ReadSeconds:F2} s, top-k computed in {ComputeSeconds:F2} s")]
    public static partial void WorkItemDone(ILogger logger, Guid jobId, int workItem, int attempt, double readSeconds, double computeSeconds);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Job {JobId} '{Job}': {WorkItems} work items ({RowBlocks} row blocks × {ColumnShards} column shards) over {Rows:N0} × {Columns:N0} (d = {Dimension}, k = {K}) on {Silos} silos, {Slots} work items per silo")]
    public static partial void JobStarted(ILogger logger, Guid jobId, string job, int workItems, int rowBlocks, int columnShards, int rows, int columns, int dimension, int k, int silos, int slots);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "Job {JobId}: {WorkItem} failed on silo {Silo} (attempt {Attempt}), re-issued: {Reason}")]
    public static partial void WorkItemReissued(ILogger logger, Guid jobId, string workItem, string silo, int attempt, string reason);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Warning, Message = "Job {JobId}: silo {Silo} is no longer used by this job ({Reason})")]
    public static partial void SiloRetired(ILogger logger, Guid jobId, string silo, string reason);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Information, Message = "Job {JobId} '{Job}' done in {Seconds:F1} s: {WorkItems} work items, {Reissued} re-issued, {Duplicates} duplicate results ignored")]
    public static partial void JobFinished(ILogger logger, Guid jobId, string job, double seconds, int workItems, int reissued, int duplicates);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Information, Message = "Job {JobId}: progress {Done}/{Total} work items in {Seconds:F0} s")]
    public static partial void JobProgress(ILogger logger, Guid jobId, int done, int total, double seconds);
}
