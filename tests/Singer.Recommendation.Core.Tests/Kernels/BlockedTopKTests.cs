using TorchSharp;
using static TorchSharp.torch;

namespace Singer.Recommendation.Core.Tests.Kernels;

/// <summary>The fused top-k kernel against a brute-force reference: ties, exclusions, floors, tiles and shards.</summary>
public sealed class BlockedTopKTests
{
    /// <summary>The reference: every product in double-checked float, sorted by (value desc, column asc).</summary>
    private static ScoredIndex[][] Reference(float[,] q, float[,] x, int k, Func<int, int, bool>? excluded = null, float floor = float.NegativeInfinity)
    {
        using var scope = NewDisposeScope();
        var scores = tensor(q).matmul(tensor(x).t());
        var s = scores.data<float>().ToArray();
        int rows = q.GetLength(0), n = x.GetLength(0);
        var result = new ScoredIndex[rows][];
        for (int r = 0; r < rows; r++)
        {
            result[r] = Enumerable.Range(0, n)
                .Where(j => excluded is null || !excluded(r, j))
                .Select(j => new ScoredIndex(j, s[(r * n) + j]))
                .Where(e => e.Score > floor)
                .OrderByDescending(e => e.Score).ThenBy(e => e.Index)
                .Take(k).ToArray();
        }

        return result;
    }

    private static float[,] Random2D(int rows, int d, int seed, int levels = 0)
    {
        var random = new Random(seed);
        var a = new float[rows, d];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < d; c++)
            {
                // With levels > 0 the values are small integers, so many products tie exactly.
                a[r, c] = levels > 0 ? random.Next(-levels, levels + 1) : (float)((random.NextDouble() * 2) - 1);
            }
        }

        return a;
    }

    [Fact]
    public void A_hand_checked_case_with_ties_goes_to_the_lower_index()
    {
        // Scores of the single query [1, 0]: the items' first coordinates 3, 5, 5, 1, 5.
        float[,] q = { { 1, 0 } };
        float[,] x = { { 3, 1 }, { 5, 0 }, { 5, 2 }, { 1, 1 }, { 5, 9 } };
        using var qt = tensor(q);
        using var xt = tensor(x);
        var top = BlockedTopK.Select(qt, xt, 3);
        top[0].Should().Equal(new ScoredIndex(1, 5), new ScoredIndex(2, 5), new ScoredIndex(4, 5));
        var excluded = BlockedTopK.Select(qt, xt, 3, ColumnExclusions.FromSortedRows([0, 1], [2]));
        excluded[0].Should().Equal(new ScoredIndex(1, 5), new ScoredIndex(4, 5), new ScoredIndex(0, 3));
    }

    [Theory]
    [InlineData(1, 1000, 16, 10, null)]
    [InlineData(7, 5000, 8, 20, 256)]
    [InlineData(64, 3000, 32, 50, 300)]
    [InlineData(33, 777, 5, 1, 64)]
    [InlineData(5, 100, 4, 100, null)]
    public void Equals_the_brute_force_top_k_with_exclusions_for_any_tile_width(int rows, int n, int d, int k, int? tile)
    {
        var q = Random2D(rows, d, seed: rows, levels: 2);
        var x = Random2D(n, d, seed: n, levels: 2);
        var random = new Random(3);
        var excludedSets = Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, random.Next(0, 30)).Select(_ => random.Next(n)).Distinct().Order().ToArray()).ToArray();
        var offsets = new int[rows + 1];
        for (int r = 0; r < rows; r++)
        {
            offsets[r + 1] = offsets[r] + excludedSets[r].Length;
        }

        var exclusions = ColumnExclusions.FromSortedRows(offsets, excludedSets.SelectMany(e => e).ToArray());
        using var qt = tensor(q);
        using var xt = tensor(x);
        var into = new TopKAccumulator(rows, k);
        BlockedTopK.Accumulate(qt, xt, 0, into, 0, exclusions, tile);
        var expected = Reference(q, x, k, (r, j) => Array.BinarySearch(excludedSets[r], j) >= 0);
        into.SortedRows().Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
    }

    [Fact]
    public void The_floor_and_the_diagonal_work_like_the_knn_graph()
    {
        var x = Random2D(300, 6, seed: 9, levels: 2);
        using var xt = tensor(x);
        var into = new TopKAccumulator(300, 10, floor: 0f);
        BlockedTopK.Accumulate(xt, xt, 0, into, 0, ColumnExclusions.Diagonal(), tileColumns: 128);
        var expected = Reference(x, x, 10, (r, j) => r == j, floor: 0f);
        into.SortedRows().Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
        into.SortedRows().Should().OnlyContain(row => row.All(e => e.Score > 0));
    }

    [Fact]
    public void Shards_merged_equal_one_pass_over_all_columns()
    {
        var q = Random2D(20, 8, seed: 1, levels: 1);
        var x = Random2D(1000, 8, seed: 2, levels: 1);
        using var qt = tensor(q);
        using var xt = tensor(x);
        var whole = BlockedTopK.Select(qt, xt, 15);

        // Three column shards, each into its own accumulator, merged in a shuffled order.
        var parts = new[] { (0, 333), (333, 500), (833, 167) };
        var merged = new TopKAccumulator(20, 15);
        foreach (var (start, length) in parts.Reverse())
        {
            var shard = new TopKAccumulator(20, 15);
            using var columns = xt.narrow(0, start, length);
            BlockedTopK.Accumulate(qt, columns, start, shard);
            merged.Merge(shard);
        }

        merged.SortedRows().Should().BeEquivalentTo(whole, o => o.WithStrictOrdering());
    }

    [Fact]
    public void Row_blocks_fill_their_own_accumulator_rows()
    {
        // Small integers: every product is exact, whatever the product's blocking.
        var q = Random2D(50, 4, seed: 5, levels: 3);
        var x = Random2D(200, 4, seed: 6, levels: 3);
        using var qt = tensor(q);
        using var xt = tensor(x);
        var into = new TopKAccumulator(50, 7);
        for (int start = 0; start < 50; start += 16)
        {
            using var block = qt.narrow(0, start, Math.Min(16, 50 - start));
            BlockedTopK.Accumulate(block, xt, 0, into, start, ColumnExclusions.Diagonal());
        }

        into.SortedRows().Should().BeEquivalentTo(Reference(q, x, 7, (r, j) => r == j), o => o.WithStrictOrdering());
    }

    [Fact]
    public void Masked_and_excluded_entries_leave_a_row_short_instead_of_returning_them()
    {
        float[,] q = { { 1 } };
        float[,] x = { { 1 }, { 2 }, { 3 } };
        using var qt = tensor(q);
        using var xt = tensor(x);
        BlockedTopK.Select(qt, xt, 5, ColumnExclusions.FromSortedRows([0, 2], [0, 2]))[0].Should().Equal(new ScoredIndex(1, 2));
        BlockedTopK.Select(qt, xt, 5, floor: 2.5f)[0].Should().Equal(new ScoredIndex(2, 3));
    }

    [Fact]
    public void Bad_inputs_get_clear_errors()
    {
        using var q = ones(2, 3);
        using var x = ones(4, 5);
        FluentActions.Invoking(() => BlockedTopK.Select(q, x, 2)).Should().Throw<ArgumentException>().WithMessage("*3-d but the items are 5-d*");
        using var q1 = ones(3);
        FluentActions.Invoking(() => BlockedTopK.Select(q1, x, 2)).Should().Throw<ArgumentException>().WithMessage("*2-D [rows, d]*");
        using var q64 = ones(2, 5, dtype: ScalarType.Float64);
        FluentActions.Invoking(() => BlockedTopK.Select(q64, x, 2)).Should().Throw<ArgumentException>().WithMessage("*float32*");
        using var x5 = ones(4, 5);
        using var q5 = ones(3, 5);
        FluentActions.Invoking(() => BlockedTopK.Accumulate(q5, x5, 0, new TopKAccumulator(2, 1))).Should().Throw<ArgumentException>().WithMessage("*do not fit an accumulator of 2 rows*");
        FluentActions.Invoking(() => new TopKAccumulator(2, 0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => ColumnExclusions.FromSortedRows([0, 2], [3, 1])).Should().Throw<ArgumentException>().WithMessage("*not sorted*");
        FluentActions.Invoking(() => new TopKAccumulator(2, 3).Merge(new TopKAccumulator(2, 4))).Should().Throw<ArgumentException>().WithMessage("*shapes must match*");
    }
}
