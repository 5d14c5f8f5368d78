using System.Globalization;
using TorchSharp;

namespace Singer.Recommendation.Graphs;

// The graph operations of SPEC §1: the symmetric normalisation (§1.3), the linear combination that fuses two graphs
// (§1.4), and the transpose.
public sealed partial class SparseGraph
{
    /// <summary>
    /// Rows of items outside a graph, normalised as <see cref="SymmetricNormalize"/> normalises the graph's own rows:
    /// entry <c>w_ij</c> of new row <c>i</c> (over the graph's items <c>j</c>) becomes <c>scale · w_ij / √(d_i · d_j)</c>,
    /// with <c>d_i</c> the new row's sum and <c>d_j</c> item <c>j</c>'s degree in the graph (its row sum, as
    /// <see cref="RowSums"/>); 0 where either is 0. For a row that equals one of the graph's rows this is exactly that
    /// row of <see cref="SymmetricNormalize"/> (times <paramref name="scale"/>); the graph itself is not changed.
    /// </summary>
    internal static SparseGraph NormalizeRowsAgainst(SparseGraph rows, float[] degrees, float scale)
    {
        var offsets = rows.RowOffsets.ToArray();
        var columns = rows.ColumnIndices.ToArray();
        var values = rows.Values.ToArray();
        for (int r = 0; r < rows.RowCount; r++)
        {
            double rowSum = rows.RowSumDouble(r);
            for (int p = offsets[r]; p < offsets[r + 1]; p++)
            {
                double d = rowSum * degrees[columns[p]];
                values[p] = d > 0 ? (float)(scale * values[p] / Math.Sqrt(d)) : 0f;
            }
        }

        return FromCsr(rows.RowCount, rows.ColumnCount, offsets, columns, values);
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
}
