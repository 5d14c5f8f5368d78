using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;

namespace Singer.Recommendation.Orleans;

/// <summary>
/// The exact merge: each row keeps the best k of the union of its partial lists, in the library's total order (value
/// descending, then column ascending). Because the column shards are disjoint and cover every column, and the order is
/// total, the top k of the union of the shards' top-k lists is the top k of the whole row — whatever order the partial
/// lists arrive in. Each work item is merged once: a second result for the same id is an error here (the coordinator
/// filters duplicates before).
/// </summary>
internal sealed class TopKMerger
{
    private readonly int _k;
    private readonly int[] _counts;
    private readonly int[] _columns;
    private readonly float[] _values;
    private readonly HashSet<int> _merged = [];

    public TopKMerger(int rows, int k)
    {
        if ((long)rows * k > Array.MaxLength)
        {
            throw new ClusterJobException($"{rows:N0} rows × k = {k} exceeds the largest array; use a smaller k.");
        }

        RowCount = rows;
        _k = k;
        _counts = new int[rows];
        _columns = new int[rows * k];
        _values = new float[rows * k];
    }

    public int RowCount { get; }

    /// <summary>Work items merged so far.</summary>
    public int MergedCount
    {
        get
        {
            lock (_merged)
            {
                return _merged.Count;
            }
        }
    }

    /// <summary>Merges one work item's partial lists into its rows.</summary>
    /// <exception cref="InvalidOperationException">This work item was merged before.</exception>
    public void Merge(PartialTopKLists partial)
    {
        Span<int> columns = _k <= 512 ? stackalloc int[_k] : new int[_k];
        Span<float> values = _k <= 512 ? stackalloc float[_k] : new float[_k];

        // One lock: a merge costs O(rows · k), far below the work item's O(rows · columns · d).
        lock (_merged)
        {
            if (!_merged.Add(partial.WorkItemId))
            {
                throw new InvalidOperationException($"Work item {partial.WorkItemId} was merged twice.");
            }

            int at = 0;
            for (int i = 0; i < partial.Counts.Length; i++)
            {
                int row = partial.RowStart + i, n = partial.Counts[i];
                MergeRow(row, partial.Columns.AsSpan(at, n), partial.Values.AsSpan(at, n), columns, values);
                at += n;
            }
        }
    }

    /// <summary>The merged lists as a CSR graph: each row's entries sorted by column; binary weights become 1.</summary>
    public SparseGraph ToGraph(int columnCount, KnnEdgeWeight weight)
    {
        var offsets = new int[RowCount + 1];
        for (int r = 0; r < RowCount; r++)
        {
            offsets[r + 1] = offsets[r] + _counts[r];
        }

        var columns = new int[offsets[RowCount]];
        var values = new float[columns.Length];
        for (int r = 0; r < RowCount; r++)
        {
            int n = _counts[r];
            var c = columns.AsSpan(offsets[r], n);
            var v = values.AsSpan(offsets[r], n);
            _columns.AsSpan(r * _k, n).CopyTo(c);
            _values.AsSpan(r * _k, n).CopyTo(v);
            c.Sort(v);
            if (weight == KnnEdgeWeight.Binary)
            {
                v.Fill(1f);
            }
        }

        return SparseGraph.FromCsr(RowCount, columnCount, offsets, columns, values);
    }

    /// <summary>The merged lists, best first, as the recommendation engine returns them.</summary>
    public ScoredIndex[][] ToLists()
    {
        var lists = new ScoredIndex[RowCount][];
        for (int r = 0; r < RowCount; r++)
        {
            var list = new ScoredIndex[_counts[r]];
            for (int i = 0; i < list.Length; i++)
            {
                list[i] = new ScoredIndex(_columns[(r * _k) + i], _values[(r * _k) + i]);
            }

            lists[r] = list;
        }

        return lists;
    }

    private void MergeRow(int row, ReadOnlySpan<int> incomingColumns, ReadOnlySpan<float> incomingValues, Span<int> columns, Span<float> values)
    {
        int had = _counts[row];
        var keptColumns = _columns.AsSpan(row * _k, had);
        var keptValues = _values.AsSpan(row * _k, had);
        int a = 0, b = 0, n = 0;
        while (n < _k && (a < had || b < incomingColumns.Length))
        {
            bool takeKept = b >= incomingColumns.Length
                || (a < had && Better(keptValues[a], keptColumns[a], incomingValues[b], incomingColumns[b]));
            if (takeKept)
            {
                columns[n] = keptColumns[a];
                values[n++] = keptValues[a++];
            }
            else
            {
                columns[n] = incomingColumns[b];
                values[n++] = incomingValues[b++];
            }
        }

        columns[..n].CopyTo(_columns.AsSpan(row * _k, n));
        values[..n].CopyTo(_values.AsSpan(row * _k, n));
        _counts[row] = n;
    }

    /// <summary>The library's order: a higher value first; at an equal value the lower column.</summary>
    private static bool Better(float va, int ca, float vb, int cb) => va > vb || (va == vb && ca < cb);
}
