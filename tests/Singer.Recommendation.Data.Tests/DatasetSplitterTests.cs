namespace Singer.Recommendation.Data.Tests;

/// <summary>SPEC §7: per-user, seeded, MMRec-sized train / validation / test splits.</summary>
public sealed class DatasetSplitterTests
{
    [Theory]
    [InlineData(0, 0, 0, 0)]
    [InlineData(1, 1, 0, 0)]
    [InlineData(2, 1, 0, 1)]
    [InlineData(3, 1, 1, 1)]
    [InlineData(9, 7, 1, 1)]
    [InlineData(10, 8, 1, 1)]
    [InlineData(11, 9, 1, 1)]
    [InlineData(15, 12, 1, 2)]
    [InlineData(20, 16, 2, 2)]
    [InlineData(57, 46, 5, 6)]
    public void Sizes_follow_the_spec(int n, int train, int validation, int test)
    {
        // n < 10: n − 2 / 1 / 1 (n = 1, 2 keep what they can). n ≥ 10: v = ⌊0.2n⌋, validation ⌊v/2⌋, test v − ⌊v/2⌋.
        DatasetSplitter.Sizes(n).Should().Be((train, validation, test));
    }

    [Fact]
    public void Sizes_always_add_up_and_hold_out_a_fifth_from_ten_on()
    {
        for (int n = 0; n <= 500; n++)
        {
            var (train, validation, test) = DatasetSplitter.Sizes(n);
            (train + validation + test).Should().Be(n);
            if (n >= 10)
            {
                (validation + test).Should().Be(n / 5);
                test.Should().BeInRange(validation, validation + 1);
            }
        }

        var act = () => DatasetSplitter.Sizes(-1);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Every_interaction_lands_in_exactly_one_split_with_the_per_user_sizes()
    {
        int[] counts = [1, 2, 3, 9, 10, 11, 57, 0, 4];
        var users = Interleaved(counts);

        var splits = DatasetSplitter.Assign(users, counts.Length, seed: 3);

        splits.Should().HaveCount(users.Length);
        splits.Should().OnlyContain(s => s == DataSplit.Train || s == DataSplit.Validation || s == DataSplit.Test);
        for (int u = 0; u < counts.Length; u++)
        {
            var mine = users.Select((user, n) => (user, n)).Where(p => p.user == u).Select(p => splits[p.n]).ToArray();
            (mine.Count(s => s == DataSplit.Train), mine.Count(s => s == DataSplit.Validation), mine.Count(s => s == DataSplit.Test))
                .Should().Be(DatasetSplitter.Sizes(counts[u]), $"user {u} has {counts[u]} interactions");
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_split_and_another_seed_another()
    {
        int[] counts = Enumerable.Range(0, 50).Select(u => 5 + (u % 40)).ToArray();
        var users = Interleaved(counts);

        var a = DatasetSplitter.Assign(users, counts.Length, seed: 11);
        var b = DatasetSplitter.Assign(users, counts.Length, seed: 11);
        var c = DatasetSplitter.Assign(users, counts.Length, seed: 12);
        var byDefault = DatasetSplitter.Assign(users, counts.Length);

        b.Should().Equal(a);
        c.Should().NotEqual(a);
        byDefault.Should().Equal(DatasetSplitter.Assign(users, counts.Length, Defaults.SplitSeed));
        Defaults.SplitSeed.Should().Be(42);
    }

    [Fact]
    public void The_split_is_shuffled_not_positional()
    {
        // One user with 100 interactions: a positional split would put the last 20 in validation/test.
        var users = new int[100];
        var splits = DatasetSplitter.Assign(users, 1, seed: 1);

        splits.Take(80).Should().Contain(s => s != DataSplit.Train);
        splits.Count(s => s != DataSplit.Train).Should().Be(20);
    }

    [Fact]
    public void User_indices_outside_the_range_are_rejected()
    {
        var act = () => DatasetSplitter.Assign(new[] { 0, 2 }, 2);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*User index must be in [0, 2)*");
        var negative = () => DatasetSplitter.Assign(new[] { -1 }, 2);
        negative.Should().Throw<ArgumentOutOfRangeException>();
    }

    /// <summary>User u repeated counts[u] times, users interleaved (u0, u1, …, u0, u1, …) like a real log.</summary>
    private static int[] Interleaved(int[] counts)
    {
        var result = new List<int>();
        for (int round = 0; round < counts.Max(); round++)
        {
            for (int u = 0; u < counts.Length; u++)
            {
                if (round < counts[u])
                {
                    result.Add(u);
                }
            }
        }

        return [.. result];
    }
}
