using Singer.Recommendation.Core;
using Singer.Recommendation.Serving;
using TorchSharp;
using static TorchSharp.torch;

namespace Singer.Recommendation;

// Item-side reads and writes: similar items, scores of given items, and brand-new items embedded through the
// model's semantic branch and published in a new snapshot.
public sealed partial class RecommendationEngine
{
    /// <summary>The <paramref name="k"/> items most similar to an item (cosine of the final representations), the item itself excluded.</summary>
    /// <exception cref="UnknownItemException">The item is unknown.</exception>
    public IReadOnlyList<RecommendedItem> SimilarItems(string itemId, int k = 20)
    {
        ArgumentNullException.ThrowIfNull(itemId);
        CheckK(k);
        var s = Current();
        if (!s.Items.TryGetIndex(itemId, out int item))
        {
            throw new UnknownItemException(itemId);
        }

        return s.SimilarTo(item, k).Select(x => new RecommendedItem(s.Items[x.Index], x.Index, x.Score)).ToArray();
    }

    /// <summary>The scores of the given items for a user, in the order asked.</summary>
    /// <exception cref="UnknownUserException">The user is unknown (the popularity fallback does not score).</exception>
    /// <exception cref="UnknownItemException">An item is unknown.</exception>
    public IReadOnlyList<RecommendedItem> Score(string userId, IReadOnlyList<string> itemIds)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(itemIds);
        var s = Current();
        if (!s.Users.TryGetIndex(userId, out int u))
        {
            throw new UnknownUserException(userId);
        }

        var indices = itemIds.Select(id => s.Items.TryGetIndex(id ?? throw new ArgumentException("An item id is null.", nameof(itemIds)), out int i) ? i : throw new UnknownItemException(id)).ToArray();
        using var scope = NewDisposeScope();
        var items = s.ItemVectors.index_select(0, tensor(indices.Select(i => (long)i).ToArray(), device: s.ItemVectors.device));
        var scores = items.matmul(s.UserVectors[u]).cpu().data<float>().ToArray();
        return indices.Select((i, n) => new RecommendedItem(s.Items[i], i, scores[n])).ToArray();
    }

    /// <summary>
    /// Adds brand-new items, known only by their features, and makes them recommendable at once without retraining
    /// (see <see cref="SingerModel.EmbedNewItems"/>). Each call publishes a new snapshot; concurrent reads see the
    /// old or the new one, never a mix.
    /// </summary>
    /// <param name="features">One modality per semantic-branch modality of the model, one row per new item.</param>
    /// <param name="itemIds">The new items' external ids (new and distinct).</param>
    /// <exception cref="ArgumentException">An id exists already or repeats, or the features do not fit the model.</exception>
    /// <exception cref="InvalidOperationException">The model has no semantic branch.</exception>
    public void AddItems(IReadOnlyList<ItemModality> features, IReadOnlyList<string> itemIds)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(itemIds);
        lock (_writeLock)
        {
            var old = Current();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (string id in itemIds)
            {
                ArgumentException.ThrowIfNullOrEmpty(id, nameof(itemIds));
                if (old.Items.Contains(id) || !seen.Add(id))
                {
                    throw new ArgumentException($"Item id '{id}' {(old.Items.Contains(id) ? "already exists" : "appears twice")}; new items need new, distinct ids.", nameof(itemIds));
                }
            }

            if (features.Any(f => f.ItemCount != itemIds.Count))
            {
                throw new ArgumentException($"There are {itemIds.Count} new ids but the features have {string.Join("/", features.Select(f => f.ItemCount))} rows.", nameof(features));
            }

            if (itemIds.Count == 0)
            {
                return;
            }

            Tensor items;
            using (var scope = NewDisposeScope())
            {
                var added = _model.EmbedNewItems(features);
                items = cat(new[] { old.ItemVectors, added.to(old.ItemVectors.device) }, 0).DetachFromDisposeScope();
            }

            int total = old.Items.Count + itemIds.Count;
            var popularity = old.Popularity.Concat(new int[itemIds.Count]).ToArray();
            var next = new Snapshot(
                old.UserVectors,
                items,
                old.Users,
                old.Items.Append(itemIds),
                old.Seen.WithItemCount(total),
                popularity,
                PopularOrder(popularity),
                Quantize(items, Options));
            // Readers may still be using the old snapshot, so it is not disposed here: its item tensor is released
            // by TorchSharp's finalizer once no reader holds it (the user tensor lives on in the new snapshot).
            Volatile.Write(ref _snapshot, next);
        }
    }
}
