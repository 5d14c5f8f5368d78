using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;
using Singer.Recommendation.Graphs.Knn;

namespace Singer.Recommendation.Orleans;

/// <summary>
/// The ONE place where this package reaches inside Singer.Recommendation.Graphs: the partial top-k entry point
/// <see cref="PartialTopK.Compute"/> (rows [r0, r1) × columns [c0, c1) with global indices), which runs the same blocked
/// kernel as the single-machine <see cref="KnnSimilarityGraph.Build"/>. When the kernel moves (the serving work puts a
/// fused users × items top-k below Graphs), this file is all that changes here.
/// </summary>
internal static class KernelAdapter
{
    /// <summary>Computes one work item's partial top-k from its features, packed for the wire.</summary>
    /// <exception cref="ArgumentException">The slices do not fit the work item (dimension, empty shard, exclusions).</exception>
    public static PartialTopKLists Compute(TopKWorkItem item, ItemModality rows, ItemModality columns, CancellationToken cancellationToken)
    {
        var result = PartialTopK.Compute(new PartialTopKRequest
        {
            Rows = rows,
            RowStart = item.RowStart,
            Columns = columns,
            ColumnStart = item.ColumnStart,
            K = item.K,
            Score = item.DotProduct ? PartialScore.Dot : PartialScore.Cosine,
            Weight = item.BinaryWeights ? KnnEdgeWeight.Binary : KnnEdgeWeight.Cosine,
            ExcludeSelf = item.ExcludeSelf,
            MemoryBudgetBytes = item.MemoryBudgetBytes,
            BlockRows = item.BlockRows,
            ExcludedOffsets = item.ExcludedOffsets,
            ExcludedColumns = item.ExcludedColumns,
        }, cancellationToken);

        int total = 0;
        foreach (int c in result.Counts)
        {
            total += c;
        }

        var packedColumns = new int[total];
        var packedValues = new float[total];
        for (int r = 0, at = 0; r < result.Rows; r++)
        {
            int n = result.Counts[r];
            result.Columns.AsSpan(r * result.K, n).CopyTo(packedColumns.AsSpan(at));
            result.Values.AsSpan(r * result.K, n).CopyTo(packedValues.AsSpan(at));
            at += n;
        }

        return new PartialTopKLists
        {
            WorkItemId = item.Id,
            RowStart = item.RowStart,
            Counts = result.Counts,
            Columns = packedColumns,
            Values = packedValues,
        };
    }
}
