using Singer.Recommendation;

namespace Singer.Recommendation.Testing;

/// <summary>Builds small in-memory data sets from (user, item) pairs.</summary>
internal static class Datasets
{
    public static InteractionDataset Make(
        int users,
        int items,
        (int User, int Item)[] train,
        (int User, int Item)[]? validation = null,
        (int User, int Item)[]? test = null,
        IEnumerable<ItemModality>? modalities = null) =>
        new(
            "tiny",
            IdMap.Sequential(users),
            IdMap.Sequential(items),
            Matrix(users, items, train),
            Matrix(users, items, validation ?? []),
            Matrix(users, items, test ?? []),
            modalities);

    public static UserItemMatrix Matrix(int users, int items, (int User, int Item)[] pairs) =>
        UserItemMatrix.FromPairs(users, items, pairs.Select(p => p.User).ToArray(), pairs.Select(p => p.Item).ToArray());
}
