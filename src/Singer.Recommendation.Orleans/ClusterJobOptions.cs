using Singer.Recommendation.Graphs;

namespace Singer.Recommendation.Orleans;

/// <summary>
/// How a job is cut into work items and scheduled on the silos. Immutable; every default is documented and comes from
/// <see cref="ClusterDefaults"/>.
/// </summary>
public sealed record ClusterJobOptions
{
    /// <summary>
    /// Row blocks of the grid, or null (default): as many as keep a block at about 4,096 rows, rounded up so that the
    /// work items (blocks × shards) are a whole number of rounds of the silos' work-item slots. Must be ≥ 1 and ≤ the row count
    /// when set (a block is never empty).
    /// </summary>
    public int? RowBlocks { get; init; }

    /// <summary>
    /// Column shards of the grid, or null (default): 1 while the column features fit in 256 MiB, otherwise as many as
    /// keep each shard within it (a work item holds its shard twice, raw and normalised, plus one block of scores; up to
    /// 256 MiB the kernel's copies come from its array pool, so the work items of a silo reuse them).
    /// Must be ≥ 1 and ≤ the column count when set (a shard is never empty).
    /// </summary>
    public int? ColumnShards { get; init; }

    /// <summary>
    /// Work items each silo runs at once. Default 1: a work item already uses every core of its silo (the block GEMM and
    /// the parallel selection). Must be ≥ 1.
    /// </summary>
    public int WorkItemsPerSilo { get; init; } = ClusterDefaults.WorkItemsPerSilo;

    /// <summary>
    /// How long the coordinator waits for a work item before it issues it again on another silo. Default 30 minutes.
    /// The first result to arrive is merged and the other ignored, so a slow silo costs time, never correctness. Must be
    /// &gt; 0; keep it well above the time of one work item (see <c>docs/scale-out.md</c> for the arithmetic).
    /// </summary>
    public TimeSpan WorkItemTimeout { get; init; } = ClusterDefaults.WorkItemTimeout;

    /// <summary>
    /// Dispatches allowed per work item (the first and the re-issues). Default 4. Must be ≥ 1. A work item that fails
    /// this often fails the job with its last error.
    /// </summary>
    public int MaxAttempts { get; init; } = ClusterDefaults.MaxAttempts;

    /// <summary>Every problem of these options, each naming the option.</summary>
    internal void AddProblems(ProblemList problems, int rows, int columns)
    {
        const string Prefix = nameof(ClusterJobOptions) + ".";
        if (RowBlocks is { } r && (r < 1 || r > Math.Max(1, rows)))
        {
            problems.Add(Prefix + nameof(RowBlocks), r < 1
                ? $"must be ≥ 1 (or null for the default); got {r}."
                : $"more row blocks than the {rows:N0} rows would leave a block empty; must be ≤ {rows:N0}; got {r}.");
        }

        if (ColumnShards is { } c && (c < 1 || c > columns))
        {
            problems.Add(Prefix + nameof(ColumnShards), c < 1
                ? $"must be ≥ 1 (or null for the default); got {c}."
                : $"more column shards than the {columns:N0} columns would leave a shard empty; must be ≤ {columns:N0}; got {c}.");
        }

        if (WorkItemsPerSilo < 1)
        {
            problems.Add(Prefix + nameof(WorkItemsPerSilo), $"must be ≥ 1; got {WorkItemsPerSilo}.");
        }

        if (WorkItemTimeout <= TimeSpan.Zero)
        {
            problems.Add(Prefix + nameof(WorkItemTimeout), $"must be > 0; got {WorkItemTimeout}.");
        }

        if (MaxAttempts < 1)
        {
            problems.Add(Prefix + nameof(MaxAttempts), $"must be ≥ 1; got {MaxAttempts}.");
        }
    }

    /// <summary>The grid for <paramref name="rows"/> × <paramref name="columns"/> of dimension <paramref name="dimension"/> and <paramref name="slots"/> work-item slots.</summary>
    internal (int RowBlocks, int ColumnShards) Grid(int rows, int columns, int dimension, int slots)
    {
        int shards = ColumnShards ?? (int)Math.Clamp(
            ((long)columns * dimension * sizeof(float) + ClusterDefaults.ColumnShardBytes - 1) / ClusterDefaults.ColumnShardBytes, 1, Math.Max(1, columns));
        int blocks = RowBlocks ?? DefaultRowBlocks(rows, shards, slots);
        return (blocks, shards);
    }

    private static int DefaultRowBlocks(int rows, int shards, int slots)
    {
        if (rows == 0)
        {
            return 1;
        }

        // About 4,096 rows a block, and a whole number of rounds: blocks × shards a multiple of the slots, so that no
        // slot idles at the end while another still has a round to go.
        slots = Math.Max(1, slots);
        long multiple = slots / (long)System.Numerics.BigInteger.GreatestCommonDivisor(slots, shards);
        long blocks = (rows + ClusterDefaults.RowsPerBlock - 1L) / ClusterDefaults.RowsPerBlock;
        blocks = (blocks + multiple - 1) / multiple * multiple;
        return (int)Math.Clamp(blocks, 1, rows);
    }
}

/// <summary>The defaults of <see cref="ClusterJobOptions"/>, in one place.</summary>
internal static class ClusterDefaults
{
    /// <summary>Work items per silo at once: 1.</summary>
    public const int WorkItemsPerSilo = 1;

    /// <summary>Dispatches per work item: 4.</summary>
    public const int MaxAttempts = 4;

    /// <summary>The re-issue timeout: 30 minutes.</summary>
    public static readonly TimeSpan WorkItemTimeout = TimeSpan.FromMinutes(30);

    /// <summary>The row block the default grid aims at: 4,096 rows (a GEMM at full rate, a few seconds of work at 10⁵ columns).</summary>
    public const int RowsPerBlock = 4096;

    /// <summary>
    /// The largest column shard the default grid makes: 256 MiB of features (174,762 columns at d = 384), the largest
    /// array the kernel takes from its pool (<c>Graphs/Knn/Scratch.cs</c>); a bigger normalised copy would be fresh
    /// memory, and page faults, in every work item.
    /// </summary>
    public const long ColumnShardBytes = 256L * 1024 * 1024;
}
