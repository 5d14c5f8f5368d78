using Singer.Recommendation.Core;

namespace Singer.Recommendation.Graphs.Tests;

/// <summary>SPEC §1.2: the co-interaction graph equals a dense RᵀR reference and uses the training split only.</summary>
public sealed class CoInteractionGraphTests
{
    private static UserItemMatrix RandomInteractions(int seed, int users, int items, int perUser)
    {
        var random = new Random(seed);
        var u = new List<int>();
        var i = new List<int>();
        for (int user = 0; user < users; user++)
        {
            int count = random.Next(0, perUser + 1);
            for (int n = 0; n < count; n++)
            {
                u.Add(user);
                // Skewed popularity, so counts repeat and ties are common.
                i.Add((int)(items * Math.Pow(random.NextDouble(), 2)));
            }
        }

        return UserItemMatrix.FromPairs(users, items, u.ToArray(), i.ToArray());
    }

    [Theory]
    [InlineData(1, 40, 25, 8, 3)]
    [InlineData(2, 200, 60, 12, 10)]
    [InlineData(3, 500, 3000, 30, 7)]
    public void Equals_the_dense_reference(int seed, int users, int items, int perUser, int k)
    {
        var train = RandomInteractions(seed, users, items, perUser);
        var g = CoInteractionGraph.Build(train, new CoInteractionGraphOptions { K = k });
        g.ShouldEqual(Reference.CoInteraction(train, k), 0f);
        g.Degrees().Should().OnlyContain(d => d <= k);
    }

    [Fact]
    public void Hand_checked_counts_and_ties()
    {
        // Users: {0,1,2}, {0,1}, {1,2}, {3}. c01 = 2, c02 = 1, c12 = 2, item 3 shares no user, item 4 has none.
        var train = UserItemMatrix.FromPairs(4, 5, [0, 0, 0, 1, 1, 2, 2, 3], [0, 1, 2, 0, 1, 1, 2, 3]);
        var g = CoInteractionGraph.Build(train, new CoInteractionGraphOptions { K = 1 });
        // Item 1: c10 = c12 = 2 → the lower index 0 wins.
        g.ShouldEqual(SparseGraph.FromCsr(5, 5, [0, 1, 2, 3, 3, 3], [1, 0, 1], [2f, 2f, 2f]), 0f);
        CoInteractionGraph.Build(train, new CoInteractionGraphOptions { K = 4 }).ColumnsOf(1).ToArray().Should().Equal(0, 2);
    }

    [Fact]
    public void Only_the_training_split_enters_the_graph()
    {
        // Item 0 and item 1 share two users in the TEST split only.
        var train = UserItemMatrix.FromPairs(3, 4, [0, 0, 1, 1, 2, 2], [0, 2, 1, 3, 3, 1]);
        var validation = UserItemMatrix.FromPairs(3, 4, [2], [2]);
        var test = UserItemMatrix.FromPairs(3, 4, [0, 1], [1, 0]);
        var data = new InteractionDataset("leak", new IdMap(["u0", "u1", "u2"]), new IdMap(["i0", "i1", "i2", "i3"]), train, validation, test,
            [new ItemModality("f", 4, 2, [1, 0, 0, 1, 1, 1, -1, 0])]);
        var eisg = Eisg.Build(data, new EisgOptions { Knn = new KnnGraphOptions { K = 1 }, CoInteractionK = 2 });
        eisg.CoInteraction.ShouldEqual(Reference.CoInteraction(train, 2), 0f);
        eisg.CoInteraction[0, 1].Should().Be(0f, "the shared users of items 0 and 1 are test interactions");
        eisg.CoInteraction[1, 3].Should().Be(2f);
        eisg.CoInteraction.ShouldEqual(CoInteractionGraph.Build(data.Train, new CoInteractionGraphOptions { K = 2 }), 0f);
    }

    [Fact]
    public void Invalid_k_is_reported_with_its_range()
    {
        var train = UserItemMatrix.FromPairs(1, 3, [0], [0]);
        var act = () => CoInteractionGraph.Build(train, new CoInteractionGraphOptions { K = 3 });
        act.Should().Throw<GraphOptionsException>().WithMessage("*K = 3: must be ≥ 1 and < the item count (3)*");
    }
}
