namespace Singer.Recommendation;

/// <summary>
/// Splits each user's interactions into train / validation / test the way MMRec does
/// (<c>docs/data.md</c>, SPEC §7), deterministically for a given seed.
/// </summary>
/// <remarks>
/// Each user's interactions (in input order) are shuffled with one seeded generator, visiting users in
/// ascending index order. A user with <c>n ≥ 10</c> interactions gets <c>v = ⌊0.2·n⌋</c> held out:
/// <c>⌊v/2⌋</c> validation and <c>v − ⌊v/2⌋</c> test, the rest train. A user with <c>3 ≤ n &lt; 10</c> gets
/// <c>n − 2</c> train, 1 validation, 1 test. With fewer than 3 interactions there is nothing to hold out
/// for both: <c>n = 2</c> gives 1 train and 1 test, <c>n = 1</c> gives 1 train.
/// </remarks>
public static class DatasetSplitter
{
    /// <summary>Assigns a split to every interaction.</summary>
    /// <param name="users">The user index of each interaction.</param>
    /// <param name="userCount">Number of users (indices are in <c>[0, userCount)</c>).</param>
    /// <param name="seed">The shuffle seed; default 42.</param>
    /// <returns>The split of each interaction, aligned with <paramref name="users"/>.</returns>
    public static DataSplit[] Assign(ReadOnlySpan<int> users, int userCount, int seed = Defaults.SplitSeed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(userCount);
        var offsets = new int[userCount + 1];
        foreach (int u in users)
        {
            if ((uint)u >= (uint)userCount)
            {
                throw new ArgumentOutOfRangeException(nameof(users), u, $"User index must be in [0, {userCount}).");
            }

            offsets[u + 1]++;
        }

        for (int u = 0; u < userCount; u++)
        {
            offsets[u + 1] += offsets[u];
        }

        var rowsByUser = new int[users.Length];
        var fill = (int[])offsets.Clone();
        for (int n = 0; n < users.Length; n++)
        {
            rowsByUser[fill[users[n]]++] = n;
        }

        var result = new DataSplit[users.Length];
        var random = new Random(seed);
        for (int u = 0; u < userCount; u++)
        {
            var rows = rowsByUser.AsSpan(offsets[u], offsets[u + 1] - offsets[u]);
            random.Shuffle(rows);
            var (train, validation, _) = Sizes(rows.Length);
            for (int j = 0; j < rows.Length; j++)
            {
                result[rows[j]] = j < train ? DataSplit.Train : j < train + validation ? DataSplit.Validation : DataSplit.Test;
            }
        }

        return result;
    }

    /// <summary>The train / validation / test sizes for a user with <paramref name="n"/> interactions.</summary>
    public static (int Train, int Validation, int Test) Sizes(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (n >= 10)
        {
            int v = n / 5;
            return (n - v, v / 2, v - (v / 2));
        }

        return n switch
        {
            0 => (0, 0, 0),
            1 => (1, 0, 0),
            2 => (1, 0, 1),
            _ => (n - 2, 1, 1),
        };
    }
}
