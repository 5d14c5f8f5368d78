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
        var semanticGraph = SemanticGraph.Build(data, new SemanticGraphOptions { Knn = new KnnGraphOptions { K = 1 }, CoInteractionK = 2 });
        semanticGraph.CoInteraction.ShouldEqual(Reference.CoInteraction(train, 2), 0f);
        semanticGraph.CoInteraction[0, 1].Should().Be(0f, "the shared users of items 0 and 1 are test interactions");
        semanticGraph.CoInteraction[1, 3].Should().Be(2f);
        semanticGraph.CoInteraction.ShouldEqual(CoInteractionGraph.Build(data.Train, new CoInteractionGraphOptions { K = 2 }), 0f);
    }

    [Fact]
    public void Invalid_k_is_reported_with_its_range()
    {
        var train = UserItemMatrix.FromPairs(1, 3, [0], [0]);
        var act = () => CoInteractionGraph.Build(train, new CoInteractionGraphOptions { K = 3 });
        act.Should().Throw<GraphOptionsException>().WithMessage("*CoInteractionGraphOptions.K: must be ≥ 1 and < the item count (3); got 3*");
    }

    [Fact]
    public void Cosine_and_jaccard_weights_are_hand_checked_and_rank_by_association()
    {
        // Users: 0 {0, 1, 2}, 1 {0, 1}, 2 {0, 3}, 3 {0, 2}, 4 {3}. Item degrees n = [4, 2, 2, 2]; counts with item 0:
        // c01 = 2, c02 = 2, c03 = 1. Item 3: c30 = 1 and no other. Item 1: c10 = 2, c12 = 1.
        var train = UserItemMatrix.FromPairs(5, 4, [0, 0, 0, 1, 1, 2, 2, 3, 3, 4], [0, 1, 2, 0, 1, 0, 3, 0, 2, 3]);
        var count = CoInteractionGraph.Build(train, new CoInteractionGraphOptions { K = 2 });
        count.ColumnsOf(0).ToArray().Should().Equal(1, 2);
        count.ValuesOf(0).ToArray().Should().Equal(2f, 2f);

        var cosine = CoInteractionGraph.Build(train, new CoInteractionGraphOptions { K = 2, Weighting = CoInteractionWeighting.Cosine });
        cosine.ColumnsOf(0).ToArray().Should().Equal(1, 2);
        cosine.ValuesOf(0).ToArray().Should().Equal((float)(2 / Math.Sqrt(4 * 2)), (float)(2 / Math.Sqrt(4 * 2)));
        // Item 1: c10 = 2 with n = 4 → 2/√8 = 0.707; c12 = 1 with n = 2 → 1/√4 = 0.5.
        cosine.ColumnsOf(1).ToArray().Should().Equal(0, 2);
        cosine.ValuesOf(1).ToArray().Should().Equal((float)(2 / Math.Sqrt(8)), 0.5f);

        var jaccard = CoInteractionGraph.Build(train, new CoInteractionGraphOptions { K = 2, Weighting = CoInteractionWeighting.Jaccard });
        // Item 1: J(1, 0) = 2 / (2 + 4 − 2) = 0.5, J(1, 2) = 1 / (2 + 2 − 1) = 1/3.
        jaccard.ColumnsOf(1).ToArray().Should().Equal(0, 2);
        jaccard.ValuesOf(1).ToArray().Should().Equal(0.5f, 1f / 3);
        // Item 3: only item 0, J = 1 / (2 + 4 − 1) = 0.2.
        jaccard.ColumnsOf(3).ToArray().Should().Equal(0);
        jaccard.ValuesOf(3).ToArray().Should().Equal(0.2f);
    }

    [Fact]
    public void Normalised_weights_prefer_association_over_popularity()
    {
        // Item 0 is bought by everyone; items 1 and 2 always together by few users. By count, item 1's first neighbour
        // is the popular item 0 (count 3 vs 3: a tie goes to the lower index); by cosine or Jaccard it is item 2.
        var users = new List<int>();
        var items = new List<int>();
        for (int u = 0; u < 20; u++)
        {
            users.Add(u);
            items.Add(0);
        }

        for (int u = 0; u < 3; u++)
        {
            users.AddRange([u, u]);
            items.AddRange([1, 2]);
        }

        var train = UserItemMatrix.FromPairs(20, 3, users.ToArray(), items.ToArray());
        CoInteractionGraph.Build(train, new CoInteractionGraphOptions { K = 1 }).ColumnsOf(1).ToArray().Should().Equal(0);
        CoInteractionGraph.Build(train, new CoInteractionGraphOptions { K = 1, Weighting = CoInteractionWeighting.Cosine }).ColumnsOf(1).ToArray().Should().Equal(2);
        CoInteractionGraph.Build(train, new CoInteractionGraphOptions { K = 1, Weighting = CoInteractionWeighting.Jaccard }).ColumnsOf(1).ToArray().Should().Equal(2);
    }
}
