using Singer.Recommendation.Core;
using Singer.Recommendation.Serving;
using TorchSharp;
using static TorchSharp.torch;

namespace Singer.Recommendation;

// New users without retraining (docs/serving.md): recommendations from a list of recent items, recorded
// interactions of known users, and the fold-in of a user's representation from the items (FoldInBasis).
public sealed partial class RecommendationEngine
{
    /// <summary>
    /// The top <paramref name="k"/> items for a user the model never saw — an anonymous visitor, a new sign-up — from
    /// the items they interacted with, without retraining: the user is folded in the way the model builds its users
    /// (LightGCN propagation of the items' layers plus the semantic mean of the items; <c>docs/serving.md</c>, "New
    /// users without retraining"). With no items, the most popular ones.
    /// </summary>
    /// <param name="recentItemIds">The items the user interacted with (repeats count once).</param>
    /// <param name="k">How many items; 1 … <see cref="RecommendationEngineOptions.MaxK"/>.</param>
    /// <param name="excludeSeen">Leave out the given items (default true).</param>
    /// <exception cref="UnknownItemException">An item id is unknown.</exception>
    /// <exception cref="ArgumentException">An item id is null.</exception>
    public IReadOnlyList<RecommendedItem> Recommend(IReadOnlyList<string> recentItemIds, int k = 20, bool excludeSeen = true)
    {
        ArgumentNullException.ThrowIfNull(recentItemIds);
        CheckK(k);
        var s = Current();
        var items = ItemIndices(s, recentItemIds, nameof(recentItemIds));
        return items.Length == 0 ? s.Popular(k) : FoldInRecommend(s, items, -1, k, excludeSeen);
    }

    /// <summary>
    /// Records interactions made after training, so the next calls for this user reflect them: for a user the model
    /// trained, the representation is refolded over the training items plus the recorded ones (their own ID embedding
    /// kept); for an unknown id, <see cref="UnknownUserPolicy.FoldIn"/> folds them in from the recorded items. Recorded
    /// items are left out of the user's recommendations like training items. Kept in memory by the engine (not in the
    /// model); <see cref="ForgetInteractions"/> drops them. <see cref="Score"/> and <see cref="RecommendAllUsers"/> keep
    /// using the trained representations.
    /// </summary>
    /// <exception cref="UnknownItemException">An item id is unknown.</exception>
    /// <exception cref="ArgumentException">The user id or an item id is null or empty.</exception>
    public void RecordInteractions(string userId, IReadOnlyList<string> itemIds)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentNullException.ThrowIfNull(itemIds);
        var s = Current();
        var added = ItemIndices(s, itemIds, nameof(itemIds));
        _recorded.AddOrUpdate(userId, added, (_, old) => Union(old, added));
    }

    /// <summary>Drops the interactions recorded for a user; returns whether there were any.</summary>
    public bool ForgetInteractions(string userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        return _recorded.TryRemove(userId, out _);
    }

    /// <summary>The number of users with recorded interactions.</summary>
    public int RecordedUserCount => _recorded.Count;

    /// <summary>The fold-in representation <c>z</c> of a user with the given items (for tests and measurements).</summary>
    internal float[] FoldInVector(IReadOnlyList<string> itemIds, string? trainedUserId = null, EgoEstimate ego = EgoEstimate.Regression)
    {
        var s = Current();
        int user = trainedUserId is null ? -1 : s.Users.IndexOf(trainedUserId);
        return FoldIn().Represent(ItemIndices(s, itemIds, nameof(itemIds)), user, Snapshot.Floats(s.ItemVectors), ego);
    }

    /// <summary>The top k for a fold-in representation; <paramref name="ego"/> is for the measurements.</summary>
    internal RecommendedItem[] FoldInRecommend(string[] itemIds, int k, EgoEstimate ego)
    {
        var s = Current();
        var items = ItemIndices(s, itemIds, nameof(itemIds));
        var z = FoldIn().Represent(items, -1, Snapshot.Floats(s.ItemVectors), ego);
        return s.TopItemsFor(z, k, items, Options.CandidateCount).Select(x => new RecommendedItem(s.Items[x.Index], x.Index, x.Score)).ToArray();
    }

    private RecommendedItem[] FoldInRecommend(Snapshot s, int[] items, int trainedUser, int k, bool excludeSeen)
    {
        var z = FoldIn().Represent(items, trainedUser, Snapshot.Floats(s.ItemVectors));
        return s.TopItemsFor(z, k, excludeSeen ? items : [], Options.CandidateCount)
            .Select(x => new RecommendedItem(s.Items[x.Index], x.Index, x.Score)).ToArray();
    }

    /// <summary>The fold-in basis, computed from the model at the first fold-in (the model is borrowed, as for <see cref="AddItems"/>).</summary>
    private FoldInBasis FoldIn()
    {
        if (Volatile.Read(ref _foldIn) is { } ready)
        {
            return ready;
        }

        lock (_writeLock)
        {
            _foldIn ??= _model.FoldInBasis();
            return _foldIn;
        }
    }

    /// <summary>Distinct, ascending item indices of the ids.</summary>
    private static int[] ItemIndices(Snapshot s, IReadOnlyList<string> ids, string parameter)
    {
        var indices = new SortedSet<int>();
        foreach (string? id in ids)
        {
            if (id is null)
            {
                throw new ArgumentException("An item id is null.", parameter);
            }

            indices.Add(s.Items.TryGetIndex(id, out int i) ? i : throw new UnknownItemException(id));
        }

        return [.. indices];
    }

    private static int[] Union(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        var set = new SortedSet<int>(a.ToArray());
        set.UnionWith(b.ToArray());
        return [.. set];
    }
}
