using System.Globalization;
using TorchSharp;

namespace Singer.Recommendation.Graphs;

/// <summary>
/// An immutable sparse matrix in compressed sparse row (CSR) form with <c>float</c> weights: for each row, the
/// strictly increasing column indices of its non-zeros and their values. Item × item graphs (the kNN graphs
/// <c>S^m</c>, the co-interaction graph <c>C</c>, the fused semantic graph <c>Ŝ^m</c>) and query × item graphs use it.
/// </summary>
/// <remarks>
/// Entries are "edges" <c>row → column</c>. An explicitly stored zero is an entry; the operations of this class that
/// create new graphs (<see cref="SymmetricNormalize"/>, <see cref="Combine"/>) leave zeros out.
/// </remarks>
public sealed class SparseGraph
{
    private readonly int[] _rowOffsets;
    private readonly int[] _columns;
    private readonly float[] _values;

    private SparseGraph(int rows, int columns, int[] rowOffsets, int[] columnIndices, float[] values)
    {
        RowCount = rows;
        ColumnCount = columns;
        _rowOffsets = rowOffsets;
        _columns = columnIndices;
        _values = values;
    }

    /// <summary>Number of rows.</summary>
    public int RowCount { get; }

    /// <summary>Number of columns.</summary>
    public int ColumnCount { get; }

    /// <summary>Number of stored entries (edges).</summary>
    public int NonZeroCount => _columns.Length;

    /// <summary>Row offsets, <see cref="RowCount"/> + 1 long: row <c>r</c>'s entries are at <c>[RowOffsets[r], RowOffsets[r+1])</c>.</summary>
    public ReadOnlySpan<int> RowOffsets => _rowOffsets;

    /// <summary>All column indices, row after row, strictly increasing within each row.</summary>
    public ReadOnlySpan<int> ColumnIndices => _columns;

    /// <summary>All values, aligned with <see cref="ColumnIndices"/>.</summary>
    public ReadOnlySpan<float> Values => _values;

    /// <summary>The sorted columns of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<int> ColumnsOf(int row)
    {
        CheckRow(row);
        return _columns.AsSpan(_rowOffsets[row], _rowOffsets[row + 1] - _rowOffsets[row]);
    }

    /// <summary>The values of row <paramref name="row"/>, aligned with <see cref="ColumnsOf"/>.</summary>
    public ReadOnlySpan<float> ValuesOf(int row)
    {
        CheckRow(row);
        return _values.AsSpan(_rowOffsets[row], _rowOffsets[row + 1] - _rowOffsets[row]);
    }

    /// <summary>The value at (<paramref name="row"/>, <paramref name="column"/>); 0 where no entry is stored.</summary>
    public float this[int row, int column]
    {
        get
        {
            if ((uint)column >= (uint)ColumnCount)
            {
                throw new ArgumentOutOfRangeException(nameof(column), column, $"Column must be in [0, {ColumnCount}).");
            }

            int at = ColumnsOf(row).BinarySearch(column);
            return at >= 0 ? _values[_rowOffsets[row] + at] : 0f;
        }
    }

    /// <summary>An empty <paramref name="rows"/> × <paramref name="columns"/> graph.</summary>
    public static SparseGraph Empty(int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        return new SparseGraph(rows, columns, new int[rows + 1], [], []);
    }

    /// <summary>Creates a graph from CSR arrays, which are copied and checked.</summary>
    /// <exception cref="ArgumentException">
    /// The arrays do not form a valid CSR matrix: offsets not starting at 0, decreasing or not ending at the entry
    /// count; a column outside <c>[0, columns)</c> or not strictly increasing within its row; a NaN or infinite value.
    /// </exception>
    public static SparseGraph FromCsr(int rows, int columns, int[] rowOffsets, int[] columnIndices, float[] values)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        ArgumentNullException.ThrowIfNull(rowOffsets);
        ArgumentNullException.ThrowIfNull(columnIndices);
        ArgumentNullException.ThrowIfNull(values);
        if (rowOffsets.Length != rows + 1)
        {
            throw new ArgumentException($"{rowOffsets.Length} row offsets for {rows} rows; expected {rows + 1}.", nameof(rowOffsets));
        }

        if (columnIndices.Length != values.Length)
        {
            throw new ArgumentException($"{columnIndices.Length} column indices but {values.Length} values.", nameof(values));
        }

        if (rowOffsets[0] != 0 || rowOffsets[rows] != columnIndices.Length)
        {
            throw new ArgumentException(
                $"Row offsets must start at 0 and end at the entry count ({columnIndices.Length}); found {rowOffsets[0]} … {rowOffsets[rows]}.",
                nameof(rowOffsets));
        }

        for (int r = 0; r < rows; r++)
        {
            int from = rowOffsets[r], to = rowOffsets[r + 1];
            if (to < from)
            {
                throw new ArgumentException($"Row offsets decrease at row {r} ({from} → {to}).", nameof(rowOffsets));
            }

            if (to > columnIndices.Length)
            {
                throw new ArgumentException($"Row offset {to} of row {r} is beyond the entry count ({columnIndices.Length}).", nameof(rowOffsets));
            }

            for (int p = from; p < to; p++)
            {
                int c = columnIndices[p];
                if ((uint)c >= (uint)columns)
                {
                    throw new ArgumentException($"Row {r}: column {c} is outside [0, {columns}).", nameof(columnIndices));
                }

                if (p > from && c <= columnIndices[p - 1])
                {
                    throw new ArgumentException(
                        $"Row {r}: columns must be strictly increasing (sorted, no duplicates); {columnIndices[p - 1]} is followed by {c}.",
                        nameof(columnIndices));
                }

                if (!float.IsFinite(values[p]))
                {
                    throw new ArgumentException($"Row {r}, column {c}: value {values[p]} is not finite.", nameof(values));
                }
            }
        }

        return new SparseGraph(rows, columns, (int[])rowOffsets.Clone(), (int[])columnIndices.Clone(), (float[])values.Clone());
    }

    /// <summary>Creates a graph from (row, column, value) triplets in any order; repeated positions are summed.</summary>
    /// <exception cref="ArgumentException">The spans differ in length, an index is outside the matrix, or a value is not finite.</exception>
    public static SparseGraph FromTriplets(int rows, int columns, ReadOnlySpan<int> r, ReadOnlySpan<int> c, ReadOnlySpan<float> v)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if (r.Length != c.Length || r.Length != v.Length)
        {
            throw new ArgumentException($"Triplet spans differ in length: {r.Length} rows, {c.Length} columns, {v.Length} values.", nameof(v));
        }

        var counts = new int[rows + 1];
        for (int n = 0; n < r.Length; n++)
        {
            if ((uint)r[n] >= (uint)rows || (uint)c[n] >= (uint)columns)
            {
                throw new ArgumentException($"Triplet {n}: ({r[n]}, {c[n]}) is outside the {rows} × {columns} matrix.", nameof(r));
            }

            if (!float.IsFinite(v[n]))
            {
                throw new ArgumentException($"Triplet {n}: value {v[n]} is not finite.", nameof(v));
            }

            counts[r[n] + 1]++;
        }

        for (int i = 0; i < rows; i++)
        {
            counts[i + 1] += counts[i];
        }

        var fill = (int[])counts.Clone();
        var cols = new int[r.Length];
        var vals = new float[r.Length];
        for (int n = 0; n < r.Length; n++)
        {
            int at = fill[r[n]]++;
            cols[at] = c[n];
            vals[at] = v[n];
        }

        var offsets = new int[rows + 1];
        int write = 0;
        for (int i = 0; i < rows; i++)
        {
            int from = counts[i], length = counts[i + 1] - counts[i];
            var rowCols = cols.AsSpan(from, length);
            var rowVals = vals.AsSpan(from, length);
            rowCols.Sort(rowVals);
            offsets[i] = write;
            for (int p = 0; p < length; p++)
            {
                if (write > offsets[i] && cols[write - 1] == rowCols[p])
                {
                    // Sum in double would change nothing for the usual few duplicates; keep float addition in order.
                    vals[write - 1] += rowVals[p];
                }
                else
                {
                    cols[write] = rowCols[p];
                    vals[write] = rowVals[p];
                    write++;
                }
            }
        }

        offsets[rows] = write;
        Array.Resize(ref cols, write);
        Array.Resize(ref vals, write);
        return new SparseGraph(rows, columns, offsets, cols, vals);
    }

    /// <summary>Wraps arrays this library has just built (sorted, checked); no copy.</summary>
    internal static SparseGraph CreateUnchecked(int rows, int columns, int[] rowOffsets, int[] columnIndices, float[] values) =>
        new(rows, columns, rowOffsets, columnIndices, values);

    /// <summary>The sum of each row's values (accumulated in double).</summary>
    public float[] RowSums()
    {
        var sums = new float[RowCount];
        for (int r = 0; r < RowCount; r++)
        {
            sums[r] = (float)RowSumDouble(r);
        }

        return sums;
    }

    /// <summary>The number of entries of each row (the out-degree).</summary>
    public int[] Degrees()
    {
        var degrees = new int[RowCount];
        for (int r = 0; r < RowCount; r++)
        {
            degrees[r] = _rowOffsets[r + 1] - _rowOffsets[r];
        }

        return degrees;
    }

    /// <summary>
    /// The symmetric normalisation <c>D^{-1/2} A D^{-1/2}</c> of SPEC §1.3: each entry becomes
    /// <c>w_ij / sqrt(d_i · d_j)</c> with <c>d</c> = the ROW sums, used for the column side too (FREEDOM's rule, also for
    /// a graph that is not symmetric). An entry whose <c>d_i</c> or <c>d_j</c> is 0 becomes 0 and is left out; zero rows stay zero.
    /// </summary>
    /// <exception cref="InvalidOperationException">The graph is not square, or a row sum is negative.</exception>
    public SparseGraph SymmetricNormalize()
    {
        if (RowCount != ColumnCount)
        {
            throw new InvalidOperationException($"Symmetric normalisation needs a square graph; this one is {RowCount} × {ColumnCount}.");
        }

        var inverseSqrt = new double[RowCount];
        for (int r = 0; r < RowCount; r++)
        {
            double d = RowSumDouble(r);
            if (d < 0)
            {
                throw new InvalidOperationException(
                    $"Row {r} sums to {d}; symmetric normalisation needs non-negative row sums (drop negative edges first).");
            }

            inverseSqrt[r] = d > 0 ? 1.0 / Math.Sqrt(d) : 0.0;
        }

        var offsets = new int[RowCount + 1];
        var cols = new int[NonZeroCount];
        var vals = new float[NonZeroCount];
        int write = 0;
        for (int r = 0; r < RowCount; r++)
        {
            offsets[r] = write;
            double left = inverseSqrt[r];
            for (int p = _rowOffsets[r]; p < _rowOffsets[r + 1]; p++)
            {
                int c = _columns[p];
                float value = (float)(_values[p] * left * inverseSqrt[c]);
                if (value != 0f)
                {
                    cols[write] = c;
                    vals[write] = value;
                    write++;
                }
            }
        }

        offsets[RowCount] = write;
        Array.Resize(ref cols, write);
        Array.Resize(ref vals, write);
        return new SparseGraph(RowCount, ColumnCount, offsets, cols, vals);
    }

    /// <summary>
    /// The linear combination <c>alpha·a + beta·b</c> (SPEC §1.4 fuses <c>(1 − β)·norm(S^m) + β·norm(C)</c> with it). The
    /// result has the union of both patterns, less the entries whose combined value is exactly 0 (so a side with
    /// coefficient 0 adds no entries).
    /// </summary>
    /// <exception cref="ArgumentException">The graphs differ in shape, or a coefficient is not finite.</exception>
    public static SparseGraph Combine(float alpha, SparseGraph a, float beta, SparseGraph b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.RowCount != b.RowCount || a.ColumnCount != b.ColumnCount)
        {
            throw new ArgumentException($"Cannot combine a {a.RowCount} × {a.ColumnCount} graph with a {b.RowCount} × {b.ColumnCount} graph.", nameof(b));
        }

        if (!float.IsFinite(alpha) || !float.IsFinite(beta))
        {
            throw new ArgumentException($"Coefficients must be finite; got alpha = {alpha}, beta = {beta}.", float.IsFinite(alpha) ? nameof(beta) : nameof(alpha));
        }

        int rows = a.RowCount;
        var offsets = new int[rows + 1];
        var cols = new int[a.NonZeroCount + b.NonZeroCount];
        var vals = new float[cols.Length];
        int write = 0;
        for (int r = 0; r < rows; r++)
        {
            offsets[r] = write;
            int pa = a._rowOffsets[r], ea = a._rowOffsets[r + 1];
            int pb = b._rowOffsets[r], eb = b._rowOffsets[r + 1];
            while (pa < ea || pb < eb)
            {
                int ca = pa < ea ? a._columns[pa] : int.MaxValue;
                int cb = pb < eb ? b._columns[pb] : int.MaxValue;
                int c;
                float value;
                if (ca == cb)
                {
                    c = ca;
                    value = (alpha * a._values[pa++]) + (beta * b._values[pb++]);
                }
                else if (ca < cb)
                {
                    c = ca;
                    value = alpha * a._values[pa++];
                }
                else
                {
                    c = cb;
                    value = beta * b._values[pb++];
                }

                if (value != 0f)
                {
                    cols[write] = c;
                    vals[write] = value;
                    write++;
                }
            }
        }

        offsets[rows] = write;
        Array.Resize(ref cols, write);
        Array.Resize(ref vals, write);
        return new SparseGraph(rows, a.ColumnCount, offsets, cols, vals);
    }

    /// <summary>The transpose (columns become rows), with sorted columns per row.</summary>
    public SparseGraph Transpose()
    {
        var counts = new int[ColumnCount + 1];
        foreach (int c in _columns)
        {
            counts[c + 1]++;
        }

        for (int c = 0; c < ColumnCount; c++)
        {
            counts[c + 1] += counts[c];
        }

        var fill = (int[])counts.Clone();
        var cols = new int[NonZeroCount];
        var vals = new float[NonZeroCount];
        for (int r = 0; r < RowCount; r++)
        {
            for (int p = _rowOffsets[r]; p < _rowOffsets[r + 1]; p++)
            {
                int at = fill[_columns[p]]++;
                cols[at] = r;
                vals[at] = _values[p];
            }
        }

        return new SparseGraph(ColumnCount, RowCount, counts, cols, vals);
    }

    /// <summary>
    /// Copies the graph into a new float32 sparse COO tensor of shape <c>[RowCount, ColumnCount]</c> on
    /// <paramref name="device"/> (default the CPU). Indices are in row-major sorted order without duplicates, so the
    /// tensor is what <c>coalesce()</c> would give. The caller owns (and disposes) the tensor.
    /// </summary>
    public torch.Tensor ToTorchSparse(torch.Device? device = null)
    {
        device ??= torch.CPU;
        var indexData = new long[2 * (long)NonZeroCount];
        for (int r = 0; r < RowCount; r++)
        {
            for (int p = _rowOffsets[r]; p < _rowOffsets[r + 1]; p++)
            {
                indexData[p] = r;
                indexData[NonZeroCount + p] = _columns[p];
            }
        }

        using var scope = torch.NewDisposeScope();
        var indices = torch.tensor(indexData, [2L, NonZeroCount], device: device);
        var values = torch.tensor(_values, [(long)NonZeroCount], device: device);
        var sparse = torch.sparse_coo_tensor(indices, values, [RowCount, ColumnCount], torch.float32, device);
        return sparse.MoveToOuterDisposeScope();
    }

    /// <summary>The dense row-major matrix (<c>RowCount × ColumnCount</c> floats), for tests and small graphs.</summary>
    public float[] ToDense()
    {
        var dense = new float[(long)RowCount * ColumnCount];
        for (int r = 0; r < RowCount; r++)
        {
            long rowStart = (long)r * ColumnCount;
            for (int p = _rowOffsets[r]; p < _rowOffsets[r + 1]; p++)
            {
                dense[rowStart + _columns[p]] = _values[p];
            }
        }

        return dense;
    }

    /// <summary>
    /// Compares two graphs entry by entry: shapes, entries present in one only, and values that differ by more than
    /// <paramref name="tolerance"/> (absolute). Use <see cref="GraphDifference.IsEmpty"/> in tests and print the
    /// difference when it is not.
    /// </summary>
    public static GraphDifference Compare(SparseGraph expected, SparseGraph actual, float tolerance = 0f)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        if (!(tolerance >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "Tolerance must be ≥ 0.");
        }

        if (expected.RowCount != actual.RowCount || expected.ColumnCount != actual.ColumnCount)
        {
            return GraphDifference.ForShapes(expected, actual, tolerance);
        }

        var list = new List<GraphEntryDifference>();
        int missing = 0, extra = 0, mismatched = 0;
        double maxDiff = 0;
        for (int r = 0; r < expected.RowCount; r++)
        {
            int pe = expected._rowOffsets[r], ee = expected._rowOffsets[r + 1];
            int pa = actual._rowOffsets[r], ea = actual._rowOffsets[r + 1];
            while (pe < ee || pa < ea)
            {
                int ce = pe < ee ? expected._columns[pe] : int.MaxValue;
                int ca = pa < ea ? actual._columns[pa] : int.MaxValue;
                if (ce == ca)
                {
                    float ve = expected._values[pe++], va = actual._values[pa++];
                    double diff = Math.Abs((double)ve - va);
                    maxDiff = Math.Max(maxDiff, diff);
                    if (diff > tolerance)
                    {
                        mismatched++;
                        list.Add(new GraphEntryDifference(r, ce, ve, va));
                    }
                }
                else if (ce < ca)
                {
                    missing++;
                    list.Add(new GraphEntryDifference(r, ce, expected._values[pe++], null));
                }
                else
                {
                    extra++;
                    list.Add(new GraphEntryDifference(r, ca, null, actual._values[pa++]));
                }
            }
        }

        return new GraphDifference(expected, actual, tolerance, true, missing, extra, mismatched, (float)maxDiff, list);
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"SparseGraph {RowCount:N0} × {ColumnCount:N0}, {NonZeroCount:N0} entries");

    private double RowSumDouble(int r)
    {
        double sum = 0;
        for (int p = _rowOffsets[r]; p < _rowOffsets[r + 1]; p++)
        {
            sum += _values[p];
        }

        return sum;
    }

    private void CheckRow(int row)
    {
        if ((uint)row >= (uint)RowCount)
        {
            throw new ArgumentOutOfRangeException(nameof(row), row, $"Row must be in [0, {RowCount}).");
        }
    }
}
