using Singer.Recommendation.Core;

namespace Singer.Recommendation.Graphs.Tests;

/// <summary>Brute-force O(N²) references, written independently of the library (double precision, full sorts).</summary>
internal static class Reference
{
    /// <summary>Random features; <paramref name="zeroRows"/> and <paramref name="duplicateOf"/> plant zero and duplicate rows.</summary>
    public static ItemModality RandomFeatures(int seed, int n, int d, int[]? zeroRows = null, (int Row, int Of)[]? duplicateOf = null, string name = "f")
    {
        var random = new Random(seed);
        var data = new float[n * d];
        for (int i = 0; i < data.Length; i++)
        {
            // Gaussian by Box-Muller, so cosines spread over (-1, 1).
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            data[i] = (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }

        foreach (int z in zeroRows ?? [])
        {
            data.AsSpan(z * d, d).Clear();
        }

        foreach (var (row, of) in duplicateOf ?? [])
        {
            data.AsSpan(of * d, d).CopyTo(data.AsSpan(row * d, d));
        }

        return new ItemModality(name, n, d, data);
    }

    /// <summary>Cosine in double; 0 when either row is zero.</summary>
    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return na == 0 || nb == 0 ? 0 : dot / (Math.Sqrt(na) * Math.Sqrt(nb));
    }

    /// <summary>The kNN graph by the SPEC §1.1 rules, by sorting every row completely.</summary>
    public static SparseGraph Knn(ItemModality queries, ItemModality baseItems, int k, bool excludeSelf, KnnEdgeWeight weight)
    {
        var rows = new List<int>();
        var cols = new List<int>();
        var vals = new List<float>();
        var candidates = new List<(double Value, int Column)>();
        for (int i = 0; i < queries.ItemCount; i++)
        {
            candidates.Clear();
            for (int j = 0; j < baseItems.ItemCount; j++)
            {
                if (!(excludeSelf && i == j))
                {
                    candidates.Add((Cosine(queries.Row(i), baseItems.Row(j)), j));
                }
            }

            candidates.Sort((a, b) => a.Value != b.Value ? b.Value.CompareTo(a.Value) : a.Column.CompareTo(b.Column));
            foreach (var (value, column) in candidates.Take(k))
            {
                if (weight == KnnEdgeWeight.Cosine && value <= 0)
                {
                    continue;
                }

                rows.Add(i);
                cols.Add(column);
                vals.Add(weight == KnnEdgeWeight.Binary ? 1f : (float)value);
            }
        }

        return SparseGraph.FromTriplets(queries.ItemCount, baseItems.ItemCount, rows.ToArray(), cols.ToArray(), vals.ToArray());
    }

    /// <summary>The co-interaction graph from the dense RᵀR, top-k per row by count, ties to the lower index.</summary>
    public static SparseGraph CoInteraction(UserItemMatrix train, int k)
    {
        int items = train.ItemCount;
        var dense = new int[items, items];
        for (int u = 0; u < train.UserCount; u++)
        {
            foreach (int i in train.ItemsOf(u))
            {
                foreach (int j in train.ItemsOf(u))
                {
                    dense[i, j]++;
                }
            }
        }

        var rows = new List<int>();
        var cols = new List<int>();
        var vals = new List<float>();
        for (int i = 0; i < items; i++)
        {
            var row = Enumerable.Range(0, items).Where(j => j != i && dense[i, j] > 0)
                .OrderByDescending(j => dense[i, j]).ThenBy(j => j).Take(k);
            foreach (int j in row)
            {
                rows.Add(i);
                cols.Add(j);
                vals.Add(dense[i, j]);
            }
        }

        return SparseGraph.FromTriplets(items, items, rows.ToArray(), cols.ToArray(), vals.ToArray());
    }

    /// <summary>Dense D^{-1/2} A D^{-1/2} with row sums, as FREEDOM's formula (no epsilon; zero rows give 0).</summary>
    public static double[,] NormalizeDense(SparseGraph g)
    {
        int n = g.RowCount;
        var a = new double[n, n];
        var d = new double[n];
        for (int r = 0; r < n; r++)
        {
            var c = g.ColumnsOf(r);
            var v = g.ValuesOf(r);
            for (int p = 0; p < c.Length; p++)
            {
                a[r, c[p]] = v[p];
                d[r] += v[p];
            }
        }

        for (int r = 0; r < n; r++)
        {
            for (int c = 0; c < n; c++)
            {
                a[r, c] = d[r] == 0 || d[c] == 0 ? 0 : a[r, c] / Math.Sqrt(d[r] * d[c]);
            }
        }

        return a;
    }

    /// <summary>Asserts that two graphs are equal within the tolerance, printing the differences when not.</summary>
    public static void ShouldEqual(this SparseGraph actual, SparseGraph expected, float tolerance, string because = "")
    {
        var difference = SparseGraph.Compare(expected, actual, tolerance);
        difference.IsEmpty.Should().BeTrue($"{because}{(because.Length > 0 ? ": " : "")}{difference}");
    }
}
