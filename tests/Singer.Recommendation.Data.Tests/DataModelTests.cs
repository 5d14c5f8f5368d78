using Singer.Recommendation.Data.Tests.Helpers;
using Singer.Recommendation.Testing;

namespace Singer.Recommendation.Data.Tests;

public sealed class IdMapTests
{
    [Fact]
    public void Maps_ids_to_indices_both_ways()
    {
        var map = new IdMap(["b", "a", "c"]);

        map.Count.Should().Be(3);
        map.Ids.Should().Equal("b", "a", "c");
        map[1].Should().Be("a");
        map.IndexOf("c").Should().Be(2);
        map.TryGetIndex("a", out int a).Should().BeTrue();
        a.Should().Be(1);
        map.TryGetIndex("z", out _).Should().BeFalse();
        map.Contains("b").Should().BeTrue();
        map.Contains("B").Should().BeFalse("ids are compared ordinally");
        map.Contains(null!).Should().BeFalse();
    }

    [Fact]
    public void Sequential_and_Append_extend_the_index_space()
    {
        var map = IdMap.Sequential(3).Append(["x"]);

        map.Ids.Should().Equal("0", "1", "2", "x");
        IdMap.Sequential(0).Count.Should().Be(0);
    }

    [Fact]
    public void Bad_ids_are_argument_errors()
    {
        FluentActions.Invoking(() => new IdMap(["a", "b", "a"])).Should().Throw<ArgumentException>().WithMessage("Id 'a' appears twice (indices 0 and 2)*");
        FluentActions.Invoking(() => new IdMap(["a", null!])).Should().Throw<ArgumentException>().WithMessage("Id at index 1 is null*");
        FluentActions.Invoking(() => new IdMap(null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => IdMap.Sequential(-1)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => IdMap.Sequential(2).IndexOf("5")).Should().Throw<KeyNotFoundException>().WithMessage("Unknown id '5'.");
        FluentActions.Invoking(() => IdMap.Sequential(2).Append(["1"])).Should().Throw<ArgumentException>();
    }
}

public sealed class UserItemMatrixTests
{
    // User 0: items 3, 1, 3 (repeat); user 1: none; user 2: items 0, 1.
    private static UserItemMatrix Sample() => UserItemMatrix.FromPairs(3, 4, new[] { 0, 2, 0, 2, 0 }, new[] { 3, 1, 1, 0, 3 });

    [Fact]
    public void Rows_are_sorted_and_de_duplicated()
    {
        var m = Sample();

        (m.UserCount, m.ItemCount, m.Count).Should().Be((3, 4, 4));
        m.RowOffsets.ToArray().Should().Equal(0, 2, 2, 4);
        m.ItemIndices.ToArray().Should().Equal(1, 3, 0, 1);
        m.ItemsOf(0).ToArray().Should().Equal(1, 3);
        m.ItemsOf(1).ToArray().Should().BeEmpty();
        m.CountOf(2).Should().Be(2);
        m.Contains(0, 3).Should().BeTrue();
        m.Contains(0, 0).Should().BeFalse();
        m.UsersWithInteractions().Should().Equal(0, 2);
        m.ItemDegrees().Should().Equal(1, 2, 0, 1);
        m.UserIndices().Should().Equal(0, 0, 2, 2);
    }

    [Fact]
    public void Transpose_and_item_filters()
    {
        var m = Sample();

        var t = m.Transpose();
        (t.UserCount, t.ItemCount).Should().Be((4, 3));
        t.ItemsOf(1).ToArray().Should().Equal(0, 2);
        t.ItemsOf(2).ToArray().Should().BeEmpty();

        var without = m.WithoutItems([false, true, false, false]);
        without.ItemIndices.ToArray().Should().Equal(3, 0);
        var only = m.OnlyItems([false, true, false, false]);
        only.ItemIndices.ToArray().Should().Equal(1, 1);
        only.UsersWithInteractions().Should().Equal(0, 2);

        var wider = m.WithItemCount(6);
        wider.ItemCount.Should().Be(6);
        wider.ItemIndices.ToArray().Should().Equal(m.ItemIndices.ToArray());
    }

    [Fact]
    public void Indices_outside_the_matrix_are_argument_errors()
    {
        FluentActions.Invoking(() => UserItemMatrix.FromPairs(2, 2, new[] { 2 }, new[] { 0 }))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("Pair 0: user index must be in [0, 2)*");
        FluentActions.Invoking(() => UserItemMatrix.FromPairs(2, 2, new[] { 0, 1 }, new[] { 0, -1 }))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("Pair 1: item index must be in [0, 2)*");
        FluentActions.Invoking(() => UserItemMatrix.FromPairs(2, 2, new[] { 0 }, new[] { 0, 1 }))
            .Should().Throw<ArgumentException>().WithMessage("1 users but 2 items*");
        FluentActions.Invoking(() => UserItemMatrix.FromPairs(-1, 2, [], [])).Should().Throw<ArgumentOutOfRangeException>();

        var m = Sample();
        FluentActions.Invoking(() => m.ItemsOf(3).ToArray()).Should().Throw<ArgumentOutOfRangeException>().WithMessage("User index must be in [0, 3)*");
        FluentActions.Invoking(() => m.CountOf(-1)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => m.Contains(5, 0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => m.WithoutItems([true])).Should().Throw<ArgumentException>().WithMessage("1 flags for 4 items*");
        FluentActions.Invoking(() => m.OnlyItems(new bool[5])).Should().Throw<ArgumentException>().WithMessage("5 flags for 4 items*");
        FluentActions.Invoking(() => m.WithItemCount(3)).Should().Throw<ArgumentOutOfRangeException>();
    }
}

public sealed class ItemModalityTests
{
    [Fact]
    public void Holds_a_row_major_matrix_and_copies_its_input()
    {
        float[] data = [1, 2, 3, 4, 5, 6];
        var m = new ItemModality("text", 3, 2, data);
        data[0] = 99;

        (m.Name, m.ItemCount, m.Dimension).Should().Be(("text", 3, 2));
        m.Row(0).ToArray().Should().Equal(1f, 2f);
        m.Row(2).ToArray().Should().Equal(5f, 6f);
        m.Values.Length.Should().Be(6);
        m.ToString().Should().Be("text (3 × 2)");

        var renamed = m.WithName("image.v2");
        renamed.Name.Should().Be("image.v2");
        renamed.Values.ToArray().Should().Equal(m.Values.ToArray());
    }

    [Fact]
    public void Bad_matrices_and_names_are_argument_errors()
    {
        FluentActions.Invoking(() => new ItemModality("text", 2, 2, [1, 2, 3])).Should().Throw<ArgumentException>()
            .WithMessage("Modality 'text': 3 values do not form a 2 × 2 matrix*");
        FluentActions.Invoking(() => new ItemModality("text", 2, 2, [1, 2, 3, float.NaN])).Should().Throw<ArgumentException>()
            .WithMessage("Modality 'text': row 1, column 1 is NaN; features must be finite*");
        FluentActions.Invoking(() => new ItemModality("text", 1, 1, [float.PositiveInfinity])).Should().Throw<ArgumentException>().WithMessage("*row 0, column 0*");
        FluentActions.Invoking(() => new ItemModality("my text", 1, 1, [1])).Should().Throw<ArgumentException>().WithMessage("Modality name 'my text' may contain only*");
        FluentActions.Invoking(() => new ItemModality(" ", 1, 1, [1])).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new ItemModality("text", 1, 0, [])).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new ItemModality("text", -1, 1, [])).Should().Throw<ArgumentOutOfRangeException>();
        var m = new ItemModality("text", 2, 1, [1, 2]);
        FluentActions.Invoking(() => m.Row(2).ToArray()).Should().Throw<ArgumentOutOfRangeException>().WithMessage("Item index must be in [0, 2)*");
    }
}

public sealed class InteractionDatasetTests
{
    private static ItemModality Features(string name, int items, int dim = 2) =>
        new(name, items, dim, Enumerable.Range(0, items * dim).Select(i => (float)i).ToArray());

    private static InteractionDataset Sample() => Datasets.Make(
        3,
        4,
        train: [(0, 0), (0, 1), (1, 1), (2, 1)],
        validation: [(0, 2)],
        test: [(1, 3), (2, 0)],
        modalities: [Features("text", 4), Features("image", 4, 3)]);

    [Fact]
    public void Exposes_splits_popularity_and_modalities()
    {
        var ds = Sample();

        (ds.UserCount, ds.ItemCount).Should().Be((3, 4));
        ds.GetSplit(DataSplit.Train).Should().BeSameAs(ds.Train);
        ds.GetSplit(DataSplit.Validation).Should().BeSameAs(ds.Validation);
        ds.GetSplit(DataSplit.Test).Should().BeSameAs(ds.Test);
        ds.ItemPopularity.ToArray().Should().Equal(1, 3, 0, 0);
        ds.Modalities.Select(m => m.Name).Should().Equal("text", "image");
        ds.GetModality("image").Dimension.Should().Be(3);
        ((int)DataSplit.Train, (int)DataSplit.Validation, (int)DataSplit.Test).Should().Be((0, 1, 2), "the MMRec x_label codes");
    }

    [Fact]
    public void With_methods_return_new_data_sets_and_leave_the_original_alone()
    {
        var ds = Sample();

        var selected = ds.SelectModalities("image");
        var replaced = ds.WithModality(Features("text", 4, 5));
        var added = ds.WithModality(Features("audio", 4));
        var cold = ds.WithTrain(ds.Train.WithoutItems([false, true, false, false]));

        selected.Modalities.Select(m => m.Name).Should().Equal("image");
        replaced.Modalities.Select(m => (m.Name, m.Dimension)).Should().Equal(("image", 3), ("text", 5));
        added.Modalities.Select(m => m.Name).Should().Equal("text", "image", "audio");
        cold.ItemPopularity.ToArray().Should().Equal(1, 0, 0, 0);
        cold.Test.Should().BeSameAs(ds.Test);
        ds.Modalities.Should().HaveCount(2);
        ds.ItemPopularity.ToArray().Should().Equal(1, 3, 0, 0);
    }

    [Fact]
    public void Summary_counts_every_split()
    {
        var s = Sample().Summarize();

        (s.Users, s.Items, s.TrainInteractions, s.ValidationInteractions, s.TestInteractions).Should().Be((3, 4, 4, 1, 2));
        s.Density.Should().BeApproximately(7.0 / 12, 1e-12);
        s.Modalities.Should().Equal(("text", 2), ("image", 3));
        Sample().ToString().Should().StartWith("tiny: 3 users × 4 items; 4 / 1 / 2 train / validation / test interactions").And.EndWith("modalities: text (2-d), image (3-d)");
    }

    [Fact]
    public void Parts_that_do_not_fit_are_argument_errors()
    {
        var users = IdMap.Sequential(2);
        var items = IdMap.Sequential(3);
        var ok = Datasets.Matrix(2, 3, [(0, 0)]);
        var wrong = Datasets.Matrix(2, 4, [(0, 0)]);

        FluentActions.Invoking(() => new InteractionDataset("d", users, items, ok, wrong, ok)).Should().Throw<ArgumentException>()
            .WithMessage("The validation matrix is 2 × 4, but the data set has 2 users and 3 items.");
        FluentActions.Invoking(() => new InteractionDataset("d", users, items, ok, ok, ok, [Features("text", 2)])).Should().Throw<ArgumentException>()
            .WithMessage("Modality 'text' has 2 rows, but the data set has 3 items; feature rows must equal the item count*");
        FluentActions.Invoking(() => new InteractionDataset("d", users, items, ok, ok, ok, [Features("text", 3), Features("text", 3)])).Should().Throw<ArgumentException>()
            .WithMessage("Two modalities are named 'text'*");
        FluentActions.Invoking(() => new InteractionDataset(" ", users, items, ok, ok, ok)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new InteractionDataset("d", users, items, ok, ok, null!)).Should().Throw<ArgumentNullException>();

        var ds = Sample();
        FluentActions.Invoking(() => ds.GetModality("audio")).Should().Throw<KeyNotFoundException>()
            .WithMessage("Data set 'tiny' has no modality 'audio'. Modalities: text, image.");
        FluentActions.Invoking(() => ds.GetSplit((DataSplit)7)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => ds.WithTrain(Datasets.Matrix(3, 5, []))).Should().Throw<ArgumentException>();
    }
}
