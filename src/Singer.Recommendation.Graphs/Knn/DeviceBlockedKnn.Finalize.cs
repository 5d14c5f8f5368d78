using TorchSharp;
using static TorchSharp.torch;
using Singer.Recommendation.Internal;

namespace Singer.Recommendation.Graphs.Knn;

// Finishing a block on the host: each row's candidates ordered exactly (value descending, column ascending), the top k
// kept, and the rows whose boundary is not certified recomputed exactly in float32 on the device.
internal static partial class DeviceBlockedKnn
{
    /// <summary>
    /// Orders each row's candidates exactly (value descending, column ascending), keeps the top k above the floor and
    /// returns the rows whose boundary is not certified.
    /// </summary>
    private static List<int> Finalize(HostBlock host, KnnSettings s, KnnJob job, int start, KnnResult result)
    {
        float tolerance = s.Reduced ? s.Tolerance : 0f;
        var uncertified = new bool[host.Rows];
        int parts = Math.Min(host.Rows, Environment.ProcessorCount * 4);
        Parallel.For(0, parts, part =>
        {
            var values = new float[host.Width];
            var columns = new int[host.Width];
            int end = (int)((long)host.Rows * (part + 1) / parts);
            for (int r = (int)((long)host.Rows * part / parts); r < end; r++)
            {
                FinalizeRow(host, s, r, start + r, tolerance, values, columns, result, uncertified);
            }
        });

        var list = new List<int>();
        for (int r = 0; r < host.Rows; r++)
        {
            if (uncertified[r])
            {
                list.Add(r);
            }
        }

        return list;
    }

    private static void FinalizeRow(HostBlock host, KnnSettings s, int r, int row, float tolerance, float[] values, int[] columns, KnnResult result, bool[] uncertified)
    {
        int self = s.ExcludeSelf ? row : -1;
        int valid = 0;
        for (int j = 0; j < host.Width; j++)
        {
            int c = host.Columns[(r * host.Width) + j];
            if (c != self)
            {
                columns[valid] = c;
                values[valid] = host.Values[(r * host.Width) + j];
                valid++;
            }
        }

        SortDescending(values, columns, valid);
        float boundary = host.Boundary[r];
        bool certified = float.IsNegativeInfinity(boundary)
            || (valid >= s.K && values[s.K - 1] > boundary + tolerance)
            || (s.Weight == KnnEdgeWeight.Cosine && boundary + tolerance <= 0f);
        uncertified[r] = !certified;
        if (certified)
        {
            // Sorted best first, so the kept entries are a prefix.
            int kept = 0;
            while (kept < valid && kept < s.K && values[kept] > s.Floor)
            {
                kept++;
            }

            result.Accumulator.SetRow(row, values.AsSpan(0, kept), columns.AsSpan(0, kept));
        }
    }

    /// <summary>Insertion sort by (value descending, column ascending); m is small.</summary>
    private static void SortDescending(float[] values, int[] columns, int count)
    {
        for (int i = 1; i < count; i++)
        {
            float v = values[i];
            int c = columns[i];
            int j = i - 1;
            while (j >= 0 && (values[j] < v || (values[j] == v && columns[j] > c)))
            {
                values[j + 1] = values[j];
                columns[j + 1] = columns[j];
                j--;
            }

            values[j + 1] = v;
            columns[j + 1] = c;
        }
    }

    /// <summary>
    /// The exact, tie-aware top-k of the given block rows on the device, in float32: every value above the row's k-th
    /// value, then the lowest columns equal to it.
    /// </summary>
    private static void ExactRows(Inputs x, KnnSettings s, KnnJob job, Pending block, int start, List<int> localRows, KnnResult result)
    {
        long n = job.BaseCount;
        var device = x.Base32.device;
        // float32 row + int64 running count + two masks per value.
        long perRow = Math.Max(1, n * 14);
        int chunk = (int)Math.Clamp(s.MemoryBudgetBytes / 2 / perRow, 1, localRows.Count);
        for (int from = 0; from < localRows.Count; from += chunk)
        {
            int count = Math.Min(chunk, localRows.Count - from);
            using var scope = NewDisposeScope();
            var local = tensor(localRows.GetRange(from, count).Select(r => (long)r).ToArray(), device: device);
            Tensor rows;
            if (block.Similarities is { } similarities)
            {
                rows = similarities.index_select(0, local);
            }
            else
            {
                var global = local.Plus((long)start);
                rows = x.Queries32.index_select(0, global).mm(x.Base32T);
                if (s.ExcludeSelf)
                {
                    using var minusInfinity = float.NegativeInfinity.ToScalar();
                    rows.scatter_(1, global.view(count, 1), full(count, 1, minusInfinity, device: device));
                }
            }

            var (top, _) = rows.topk(s.K, dim: 1, largest: true, sorted: true);
            var kth = top.narrow(1, s.K - 1, 1);
            var above = rows.gt(kth);
            var equal = rows.eq(kth);
            var need = above.sum(1, true, ScalarType.Int64).neg().Plus((long)s.K);
            var rank = equal.cumsum(1, ScalarType.Int64);
            var take = above.logical_or(equal.logical_and(rank.le(need)));
            var positions = take.nonzero().cpu();
            var values = rows.masked_select(take).cpu();
            var pos = positions.data<long>().ToArray();
            var val = values.data<float>().ToArray();
            if (val.Length != count * s.K)
            {
                throw new InvalidOperationException($"The exact selection kept {val.Length} entries for {count} rows × k = {s.K}; expected exactly k per row.");
            }

            // nonzero() is row-major: each row's k entries in increasing column order.
            for (int i = 0; i < count; i++)
            {
                int row = start + localRows[from + i];
                var outValues = new float[s.K];
                var outColumns = new int[s.K];
                int kept = 0;
                for (int j = i * s.K; j < (i + 1) * s.K; j++)
                {
                    if (val[j] > s.Floor)
                    {
                        outValues[kept] = val[j];
                        outColumns[kept] = (int)pos[(2 * j) + 1];
                        kept++;
                    }
                }

                result.Accumulator.SetRow(row, outValues.AsSpan(0, kept), outColumns.AsSpan(0, kept));
            }
        }
    }
}
