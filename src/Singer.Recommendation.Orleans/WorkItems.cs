using Orleans;

namespace Singer.Recommendation.Orleans;

/// <summary>
/// One work item of a job: a row block × a column shard. It carries its own feature slices and the kernel settings;
/// its id is its position in the job's grid, and the merge accepts each id once.
/// </summary>
[GenerateSerializer, Alias("Singer.TopKWorkItem")]
internal sealed record TopKWorkItem
{
    /// <summary>The job.</summary>
    [Id(0)]
    public Guid JobId { get; init; }

    /// <summary>The work item's id: <c>rowBlock · columnShards + columnShard</c>.</summary>
    [Id(1)]
    public int Id { get; init; }

    /// <summary>1 for the first dispatch, 2 for the first re-issue, …</summary>
    [Id(2)]
    public int Attempt { get; init; }

    /// <summary>The row block's index in the grid.</summary>
    [Id(3)]
    public int RowBlock { get; init; }

    /// <summary>The column shard's index in the grid.</summary>
    [Id(4)]
    public int ColumnShard { get; init; }

    /// <summary>The row block's features (a slice of the row source).</summary>
    [Id(5)]
    public FeatureSource Rows { get; init; } = null!;

    /// <summary>The global index of the block's first row.</summary>
    [Id(6)]
    public int RowStart { get; init; }

    /// <summary>Rows in the block.</summary>
    [Id(7)]
    public int RowCount { get; init; }

    /// <summary>The column shard's features (a slice of the column source).</summary>
    [Id(8)]
    public FeatureSource Columns { get; init; } = null!;

    /// <summary>The global index of the shard's first column.</summary>
    [Id(9)]
    public int ColumnStart { get; init; }

    /// <summary>Columns in the shard.</summary>
    [Id(10)]
    public int ColumnCount { get; init; }

    /// <summary>The dimension both slices must have.</summary>
    [Id(11)]
    public int Dimension { get; init; }

    /// <summary>Entries kept per row.</summary>
    [Id(12)]
    public int K { get; init; }

    /// <summary>True: raw inner products (the all-users export); false: cosines (the kNN graph).</summary>
    [Id(13)]
    public bool DotProduct { get; init; }

    /// <summary>Cosine only: binary edge weights (every value may enter) instead of cosine weights (values above 0).</summary>
    [Id(14)]
    public bool BinaryWeights { get; init; }

    /// <summary>Cosine only: no item is its own neighbour.</summary>
    [Id(15)]
    public bool ExcludeSelf { get; init; }

    /// <summary>Bytes for one block of scores on the silo.</summary>
    [Id(16)]
    public long MemoryBudgetBytes { get; init; }

    /// <summary>An explicit block height, or null.</summary>
    [Id(17)]
    public int? BlockRows { get; init; }

    /// <summary>Dot only: CSR offsets of the columns each row must not select, or null.</summary>
    [Id(18)]
    public int[]? ExcludedOffsets { get; init; }

    /// <summary>Dot only: the excluded global columns inside this shard.</summary>
    [Id(19)]
    public int[]? ExcludedColumns { get; init; }

    /// <summary>"row block r × column shard c (rows a–b, columns c–d)", for messages.</summary>
    public override string ToString() =>
        $"work item {Id} (row block {RowBlock}, rows {RowStart:N0}–{RowStart + RowCount - 1:N0} × column shard {ColumnShard}, columns {ColumnStart:N0}–{ColumnStart + ColumnCount - 1:N0})";
}

/// <summary>A work item's result: each row's partial top-k, best first, with global columns, packed row after row.</summary>
[GenerateSerializer, Alias("Singer.PartialTopKLists")]
internal sealed record PartialTopKLists
{
    /// <summary>The work item.</summary>
    [Id(0)]
    public int WorkItemId { get; init; }

    /// <summary>The global index of the first row.</summary>
    [Id(1)]
    public int RowStart { get; init; }

    /// <summary>Entries of each row.</summary>
    [Id(2)]
    public int[] Counts { get; init; } = [];

    /// <summary>The entries' global columns, row after row, each row best first.</summary>
    [Id(3)]
    public int[] Columns { get; init; } = [];

    /// <summary>The entries' scores, aligned with <see cref="Columns"/>.</summary>
    [Id(4)]
    public float[] Values { get; init; } = [];

    /// <summary>The silo that computed it.</summary>
    [Id(5)]
    public string Silo { get; init; } = "";

    /// <summary>Seconds the silo spent (reading and computing).</summary>
    [Id(6)]
    public double Seconds { get; init; }
}

/// <summary>The silo side of a job: reads a work item's features and computes its partial top-k.</summary>
[Alias("Singer.ITopKWorkerGrain")]
internal interface ITopKWorkerGrain : IGrainWithStringKey
{
    /// <summary>The shape of a feature source as the silo sees it (a file's header).</summary>
    [Alias("Describe")]
    Task<FeatureShape> DescribeAsync(FeatureSource source, CancellationToken cancellationToken);

    /// <summary>
    /// Computes one work item. The coordinator's own timeout decides re-issues, so the runtime's response timeout is
    /// set far above any work item (a day); cancelling the token stops the kernel between blocks.
    /// </summary>
    [Alias("Compute"), ResponseTimeout("1.00:00:00")]
    Task<PartialTopKLists> ComputeAsync(TopKWorkItem item, CancellationToken cancellationToken);
}
