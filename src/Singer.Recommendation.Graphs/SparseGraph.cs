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
public sealed partial class SparseGraph
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
