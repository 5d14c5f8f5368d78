using System.Globalization;
using TorchSharp;

namespace Singer.Recommendation.Graphs;

// Creating a SparseGraph: from CSR arrays or triplets (checked), and from arrays this library built (unchecked).
public sealed partial class SparseGraph
{
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
}
