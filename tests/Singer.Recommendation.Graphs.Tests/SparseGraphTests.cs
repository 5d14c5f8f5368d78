using TorchSharp;

namespace Singer.Recommendation.Graphs.Tests;

/// <summary>The CSR graph: construction, checks, normalisation (SPEC §1.3), combination (§1.4), torch conversion, diffs.</summary>
public sealed class SparseGraphTests
{
    // 4 × 4: row 0 → 1 (2), 3 (1); row 1 → 0 (1); row 2 empty; row 3 → 1 (4), 2 (0.5).
    private static SparseGraph Sample() => SparseGraph.FromCsr(4, 4, [0, 2, 3, 3, 5], [1, 3, 0, 1, 2], [2f, 1f, 1f, 4f, 0.5f]);

    [Fact]
    public void Csr_accessors_row_sums_and_degrees()
    {
        var g = Sample();
        g.RowCount.Should().Be(4);
        g.ColumnCount.Should().Be(4);
        g.NonZeroCount.Should().Be(5);
        g.ColumnsOf(3).ToArray().Should().Equal(1, 2);
        g.ValuesOf(3).ToArray().Should().Equal(4f, 0.5f);
        g.ColumnsOf(2).Length.Should().Be(0);
        g[0, 3].Should().Be(1f);
        g[0, 2].Should().Be(0f);
        g.RowSums().Should().Equal(3f, 1f, 0f, 4.5f);
        g.Degrees().Should().Equal(2, 1, 0, 2);
        g.ToDense().Should().Equal(0, 2, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0.5f, 0);
        g.Transpose().ToDense().Should().Equal(0, 1, 0, 0, 2, 0, 0, 4, 0, 0, 0, 0.5f, 1, 0, 0, 0);
        g.ToString().Should().Be("SparseGraph 4 × 4, 5 entries");
    }

    [Fact]
    public void FromCsr_rejects_malformed_arrays_with_a_clear_message()
    {
        Action unsorted = () => SparseGraph.FromCsr(2, 3, [0, 2, 2], [2, 1], [1, 1]);
        unsorted.Should().Throw<ArgumentException>().WithMessage("Row 0: columns must be strictly increasing*2 is followed by 1*");
        Action duplicate = () => SparseGraph.FromCsr(2, 3, [0, 2, 2], [1, 1], [1, 1]);
        duplicate.Should().Throw<ArgumentException>().WithMessage("*strictly increasing*");
        Action outside = () => SparseGraph.FromCsr(2, 3, [0, 1, 1], [3], [1]);
        outside.Should().Throw<ArgumentException>().WithMessage("Row 0: column 3 is outside [0, 3)*");
        Action offsets = () => SparseGraph.FromCsr(2, 3, [0, 2, 1], [0, 1], [1, 1]);
        offsets.Should().Throw<ArgumentException>().WithMessage("*end at the entry count*");
        Action nan = () => SparseGraph.FromCsr(1, 3, [0, 1], [0], [float.NaN]);
        nan.Should().Throw<ArgumentException>().WithMessage("*not finite*");
        Action count = () => SparseGraph.FromCsr(2, 3, [0, 1], [0], [1]);
        count.Should().Throw<ArgumentException>().WithMessage("2 row offsets for 2 rows; expected 3.*");
    }

    [Fact]
    public void FromCsr_copies_its_input()
    {
        var cols = new[] { 0, 2 };
        var vals = new[] { 1f, 2f };
        var g = SparseGraph.FromCsr(1, 3, [0, 2], cols, vals);
        cols[1] = 1;
        vals[0] = 9;
        g.ColumnsOf(0).ToArray().Should().Equal(0, 2);
        g.ValuesOf(0).ToArray().Should().Equal(1f, 2f);
    }

    [Fact]
    public void FromTriplets_sorts_and_sums_repeated_positions()
    {
        var g = SparseGraph.FromTriplets(3, 3, [2, 0, 2, 0, 2], [1, 2, 0, 2, 1], [1f, 2f, 3f, 4f, 5f]);
        g.ShouldEqual(SparseGraph.FromCsr(3, 3, [0, 1, 1, 3], [2, 0, 1], [6f, 3f, 6f]), 0f);
        Action bad = () => SparseGraph.FromTriplets(2, 2, [0, 2], [0, 0], [1, 1]);
        bad.Should().Throw<ArgumentException>().WithMessage("Triplet 1: (2, 0) is outside the 2 × 2 matrix*");
    }

    [Fact]
    public void Symmetric_normalisation_uses_row_sums_on_both_sides_and_keeps_zero_rows_zero()
    {
        var g = Sample();
        var n = g.SymmetricNormalize();
        var expected = Reference.NormalizeDense(g);
        // Row sums: 3, 1, 0, 4.5. (0,1): 2/√3; (0,3): 1/√(3·4.5); (1,0): 1/√3; (3,1): 4/√4.5; (3,2): 0.5/√(4.5·0) → 0, dropped.
        n[0, 1].Should().BeApproximately((float)(2 / Math.Sqrt(3)), 1e-7f);
        n[3, 1].Should().BeApproximately((float)(4 / Math.Sqrt(4.5)), 1e-6f);
        n.ColumnsOf(3).ToArray().Should().Equal(1);
        n.ColumnsOf(2).Length.Should().Be(0);
        for (int r = 0; r < 4; r++)
        {
            for (int c = 0; c < 4; c++)
            {
                n[r, c].Should().BeApproximately((float)expected[r, c], 1e-7f);
            }
        }

        var negative = SparseGraph.FromCsr(1, 1, [0, 1], [0], [-1f]);
        negative.Invoking(x => x.SymmetricNormalize()).Should().Throw<InvalidOperationException>().WithMessage("Row 0 sums to -1*");
    }

    [Fact]
    public void Combine_is_the_linear_combination_of_the_union_of_patterns()
    {
        var a = Sample();
        var b = SparseGraph.FromCsr(4, 4, [0, 1, 1, 2, 3], [1, 3, 1], [1f, 7f, -16f]);
        var c = SparseGraph.Combine(0.5f, a, 0.25f, b);
        // (0,1): 1 + 0.25; (3,1): 2 − 4 = −2; (2,3): 1.75.
        var dense = c.ToDense();
        var da = a.ToDense();
        var db = b.ToDense();
        for (int i = 0; i < dense.Length; i++)
        {
            dense[i].Should().BeApproximately((0.5f * da[i]) + (0.25f * db[i]), 1e-7f);
        }

        c.ColumnsOf(2).ToArray().Should().Equal(3);
        SparseGraph.Combine(1f, a, 0f, b).ShouldEqual(a, 0f, "a side with coefficient 0 adds no entries");
        var cancel = SparseGraph.Combine(1f, a, -1f, a);
        cancel.NonZeroCount.Should().Be(0, "exact zeros are left out");
        var shape = () => SparseGraph.Combine(1f, a, 1f, SparseGraph.Empty(3, 4));
        shape.Should().Throw<ArgumentException>().WithMessage("Cannot combine a 4 × 4 graph with a 3 × 4 graph*");
    }

    [Fact]
    public void Torch_sparse_tensor_multiplies_like_the_dense_matrix()
    {
        var g = Sample();
        using var scope = torch.NewDisposeScope();
        var sparse = g.ToTorchSparse();
        sparse.is_sparse.Should().BeTrue();
        sparse.shape.Should().Equal(4L, 4L);
        sparse.dtype.Should().Be(torch.float32);
        var indices = sparse.SparseIndices.data<long>().ToArray();
        indices.Should().Equal(0, 0, 1, 3, 3, 1, 3, 0, 1, 2);
        var x = torch.arange(8, torch.float32).view(4, 2);
        var product = sparse.matmul(x).data<float>().ToArray();
        var dense = torch.tensor(g.ToDense(), [4L, 4L]).mm(x).data<float>().ToArray();
        product.Should().Equal(dense);
        using var empty = SparseGraph.Empty(3, 3).ToTorchSparse();
        empty.shape.Should().Equal(3L, 3L);
    }

    [Fact]
    public void Compare_names_missing_extra_and_mismatched_entries()
    {
        var a = Sample();
        var b = SparseGraph.FromCsr(4, 4, [0, 2, 3, 4, 5], [1, 3, 0, 0, 1], [2.5f, 1f, 1f, 3f, 4f]);
        var d = SparseGraph.Compare(a, b, 0.1f);
        d.IsEmpty.Should().BeFalse();
        d.MissingEntries.Should().Be(1);
        d.ExtraEntries.Should().Be(1);
        d.ValueMismatches.Should().Be(1);
        d.MaxAbsoluteDifference.Should().Be(0.5f);
        d.Differences.Should().Contain(new GraphEntryDifference(3, 2, 0.5f, null)).And.Contain(new GraphEntryDifference(2, 0, null, 3f));
        d.ToString().Should().Contain("1 missing, 1 extra, 1 values off").And.Contain("(0, 1): expected 2, actual 2.5");
        SparseGraph.Compare(a, a, 0f).IsEmpty.Should().BeTrue();
        SparseGraph.Compare(a, SparseGraph.Empty(4, 5)).ToString().Should().StartWith("Shapes differ");
    }
}
