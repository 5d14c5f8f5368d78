using System.Globalization;
using TorchSharp;

namespace Singer.Recommendation.Graphs;

// Conversions of a SparseGraph (a TorchSharp sparse tensor, a dense array) and the comparison of two graphs.
public sealed partial class SparseGraph
{
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
}
