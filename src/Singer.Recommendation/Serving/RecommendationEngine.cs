using Singer.Recommendation.Core;
using Singer.Recommendation.Serving;
using TorchSharp;
using static TorchSharp.torch;

namespace Singer.Recommendation;

/// <summary>
/// Serves a trained model: an immutable snapshot of the final user and item representations on the model's device,
/// the users' training items (to exclude what they have seen) and the id maps. Reads are thread-safe without locks:
/// each call takes the current snapshot once and runs in its own dispose scope. <see cref="AddItems"/> embeds
/// brand-new items through the model's semantic branch and publishes a new snapshot atomically.
/// </summary>
/// <remarks>
/// The engine owns copies of the representations and does not need the model for reads; <see cref="AddItems"/>
/// borrows the model (keep it alive and do not train it meanwhile). Dispose the engine to free its tensors.
/// </remarks>
public sealed class RecommendationEngine : IDisposable
{
    private readonly SingerModel _model;
    private readonly object _writeLock = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int[]> _recorded = new(StringComparer.Ordinal);
    private FoldInBasis? _foldIn;
    private Snapshot _snapshot;
    private bool _disposed;

    private RecommendationEngine(SingerModel model, RecommendationEngineOptions options, Snapshot snapshot)
    {
        _model = model;
        Options = options;
        _snapshot = snapshot;
    }

    /// <summary>The engine's options.</summary>
    public RecommendationEngineOptions Options { get; }

    /// <summary>Users the engine knows.</summary>
    public int UserCount => Volatile.Read(ref _snapshot).Users.Count;

    /// <summary>Items the engine ranks (trained items plus added ones).</summary>
    public int ItemCount => Volatile.Read(ref _snapshot).Items.Count;

    /// <summary>Whether the engine knows the user id.</summary>
    public bool ContainsUser(string userId) => userId is not null && Current().Users.Contains(userId);

    /// <summary>Whether the engine knows the item id (trained or added).</summary>
    public bool ContainsItem(string itemId) => itemId is not null && Current().Items.Contains(itemId);

    /// <summary>The device the scores are computed on.</summary>
    public Device Device => _model.Device;

    /// <summary>Creates an engine from a trained (or loaded) model's current parameters.</summary>
    public static RecommendationEngine Create(SingerModel model, RecommendationEngineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new RecommendationEngineOptions();
        if (options.MaxK < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxK, $"{nameof(RecommendationEngineOptions.MaxK)} must be ≥ 1.");
        }

        if (options.CandidateCount is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.CandidateCount, $"{nameof(RecommendationEngineOptions.CandidateCount)} must be ≥ 1 (or null for max(2k, k + 32)).");
        }

        if (!Enum.IsDefined(options.Precision))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Precision, $"{nameof(RecommendationEngineOptions.Precision)} must be {nameof(RecommendPrecision.Int8Rescored)} or {nameof(RecommendPrecision.Exact)}.");
        }

        var z = model.Representations();
        var data = model.Dataset;
        var popularity = data.ItemPopularity.ToArray();
        var snapshot = new Snapshot(
            z.Users.clone().DetachFromDisposeScope(),
            z.Items.clone().DetachFromDisposeScope(),
            data.Users,
            data.Items,
            data.Train,
            popularity,
            PopularOrder(popularity),
            Quantize(z.Items, options));
        return new RecommendationEngine(model, options, snapshot);
    }

    /// <summary>The top <paramref name="k"/> items for a user, best first (ties to the lower item index).</summary>
    /// <param name="userId">The external user id.</param>
    /// <param name="k">How many items; 1 … <see cref="RecommendationEngineOptions.MaxK"/>.</param>
    /// <param name="excludeSeen">Leave out the user's training items (default true).</param>
    /// <exception cref="UnknownUserException">The user is unknown and the policy is <see cref="UnknownUserPolicy.Throw"/>.</exception>
    public IReadOnlyList<RecommendedItem> Recommend(string userId, int k = 20, bool excludeSeen = true) =>
        RecommendBatch([userId], k, excludeSeen)[0];

    /// <summary>The top <paramref name="k"/> items for each of several users, in one batched product.</summary>
    public IReadOnlyList<IReadOnlyList<RecommendedItem>> RecommendBatch(IReadOnlyList<string> userIds, int k = 20, bool excludeSeen = true)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        CheckK(k);
        var s = Current();
        var results = new IReadOnlyList<RecommendedItem>[userIds.Count];
        var known = new List<(int Slot, int User)>();
        for (int n = 0; n < userIds.Count; n++)
        {
            string id = userIds[n] ?? throw new ArgumentException($"User id {n} is null.", nameof(userIds));
            bool trained = s.Users.TryGetIndex(id, out int u);
            if (_recorded.TryGetValue(id, out int[]? recorded) && (trained || Options.UnknownUsers == UnknownUserPolicy.FoldIn))
            {
                // A history extended at serving time: folded in over the training items plus the recorded ones.
                results[n] = FoldInRecommend(s, trained ? Union(s.Seen.ItemsOf(u), recorded) : recorded, trained ? u : -1, k, excludeSeen);
            }
            else if (trained)
            {
                known.Add((n, u));
            }
            else if (Options.UnknownUsers is UnknownUserPolicy.MostPopular or UnknownUserPolicy.FoldIn)
            {
                results[n] = s.Popular(k);
            }
            else
            {
                throw new UnknownUserException(id);
            }
        }

        if (known.Count > 0)
        {
            var top = s.TopItems(known.Select(x => x.User).ToArray(), k, excludeSeen, Options.CandidateCount);
            for (int r = 0; r < known.Count; r++)
            {
                results[known[r].Slot] = top[r].Select(x => new RecommendedItem(s.Items[x.Index], x.Index, x.Score)).ToArray();
            }
        }

        return results;
    }

    /// <summary>
    /// Every user's top <paramref name="k"/>, in user-index order, computed <paramref name="batchSize"/> users at a time
    /// with the exact fused kernel and enumerated lazily: memory holds one batch, whatever the user count. The snapshot
    /// is taken when enumeration starts (items added meanwhile are not ranked); interactions recorded with
    /// <see cref="RecordInteractions"/> are not applied (this is the trained model's view).
    /// </summary>
    /// <param name="k">Items per user; 1 … <see cref="RecommendationEngineOptions.MaxK"/>.</param>
    /// <param name="excludeSeen">Leave out each user's training items (default true).</param>
    /// <param name="batchSize">Users per product (default 256; 1 … 65,536).</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    public IEnumerable<UserRecommendations> RecommendAllUsers(int k = 100, bool excludeSeen = true, int batchSize = 256, CancellationToken cancellationToken = default)
    {
        CheckK(k);
        if (batchSize is < 1 or > 65_536)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be in [1, 65536] users.");
        }

        return Enumerate(Current());

        IEnumerable<UserRecommendations> Enumerate(Snapshot s)
        {
            for (int start = 0; start < s.Users.Count; start += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var users = Enumerable.Range(start, Math.Min(batchSize, s.Users.Count - start)).ToArray();
                // Batches of one would take the single-call path; the fused kernel serves any batch exactly.
                var top = s.TopItems(users, k, excludeSeen, Options.CandidateCount, forceBatch: true);
                for (int r = 0; r < users.Length; r++)
                {
                    yield return new UserRecommendations(s.Users[users[r]], users[r], top[r].Select(x => new RecommendedItem(s.Items[x.Index], x.Index, x.Score)).ToArray());
                }
            }
        }
    }

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

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _snapshot.Dispose();
    }

    private Snapshot Current()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Volatile.Read(ref _snapshot);
    }

    private void CheckK(int k)
    {
        if (k < 1 || k > Options.MaxK)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in [1, {Options.MaxK}] ({nameof(RecommendationEngineOptions)}.{nameof(RecommendationEngineOptions.MaxK)}).");
        }
    }

    /// <summary>The int8 copy of the items for single calls, when the options ask for it and the items are on the CPU.</summary>
    private static Int8Items? Quantize(Tensor items, RecommendationEngineOptions options) =>
        options.Precision == RecommendPrecision.Int8Rescored && items.device.type == DeviceType.CPU && FitsSpan(items)
            ? Int8Items.Build(Snapshot.Floats(items), (int)items.shape[0], (int)items.shape[1])
            : null;

    /// <summary>Whether a tensor's bytes can be read as one span (under 2 GiB); larger matrices take the exact path.</summary>
    internal static bool FitsSpan(Tensor t) => t.numel() * t.element_size() <= int.MaxValue;

    private static int[] PopularOrder(int[] popularity) =>
        Enumerable.Range(0, popularity.Length).OrderByDescending(i => popularity[i]).ThenBy(i => i).ToArray();

    /// <summary>An immutable view of what the read path needs.</summary>
    private sealed class Snapshot(
        Tensor userVectors,
        Tensor itemVectors,
        IdMap users,
        IdMap items,
        UserItemMatrix seen,
        int[] popularity,
        int[] popularOrder,
        Int8Items? quantized) : IDisposable
    {
        private Tensor? _normalized;

        /// <summary>The int8 item copy of <see cref="RecommendPrecision.Int8Rescored"/>; null for exact engines and GPU engines.</summary>
        public Int8Items? Quantized { get; } = quantized;

        /// <summary>The float32 values of a contiguous CPU tensor, read in place (the tensor must outlive the span).</summary>
        public static ReadOnlySpan<float> Floats(Tensor t) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.bytes);

        public Tensor UserVectors { get; } = userVectors;

        public Tensor ItemVectors { get; } = itemVectors;

        public IdMap Users { get; } = users;

        public IdMap Items { get; } = items;

        public UserItemMatrix Seen { get; } = seen;

        public int[] Popularity { get; } = popularity;

        /// <summary>
        /// The exact top k of <c>z_u · z_i</c> for each user (ties to the lower index), seen items never returned. On
        /// the CPU the fused kernel (<see cref="BlockedTopK"/>); on a GPU the whole product and <see cref="TopK.Select"/>.
        /// </summary>
        public ScoredIndex[][] TopItems(int[] users, int k, bool excludeSeen, int? candidateCount, bool forceBatch = false)
        {
            if (users.Length == 1 && !forceBatch && Quantized is { } q && FitsSpan(UserVectors))
            {
                int d = (int)UserVectors.shape[1];
                var user = Floats(UserVectors).Slice(users[0] * d, d);
                var seen = excludeSeen ? Seen.ItemsOf(users[0]) : [];
                return [q.Select(user, Floats(ItemVectors), k, candidateCount ?? Math.Max(2 * k, k + 32), seen, out _)];
            }

            using var scope = NewDisposeScope();
            var index = tensor(users.Select(u => (long)u).ToArray(), device: UserVectors.device);
            var queries = UserVectors.index_select(0, index);
            if (ItemVectors.device.type == DeviceType.CPU)
            {
                return BlockedTopK.Select(queries, ItemVectors, k, excludeSeen ? ColumnExclusions.ForUsers(Seen, users) : null);
            }

            var scores = queries.matmul(ItemVectors.t());
            if (excludeSeen)
            {
                var flat = new List<long>();
                for (int r = 0; r < users.Length; r++)
                {
                    long rowBase = (long)r * Items.Count;
                    foreach (int i in Seen.ItemsOf(users[r]))
                    {
                        flat.Add(rowBase + i);
                    }
                }

                if (flat.Count > 0)
                {
                    using var minusInfinity = float.NegativeInfinity.ToScalar();
                    scores.view(-1).index_fill_(0, tensor(flat.ToArray(), device: scores.device), minusInfinity);
                }
            }

            return TopK.Select(scores, k);
        }

        /// <summary>The exact top k of <c>z · z_i</c> for one representation, the given items (ascending) never returned.</summary>
        public ScoredIndex[] TopItemsFor(float[] z, int k, int[] excluded, int? candidateCount)
        {
            if (Quantized is { } q)
            {
                return q.Select(z, Floats(ItemVectors), k, candidateCount ?? Math.Max(2 * k, k + 32), excluded, out _);
            }

            using var scope = NewDisposeScope();
            var query = tensor(z, [1, z.Length]).to(ItemVectors.device);
            if (ItemVectors.device.type == DeviceType.CPU)
            {
                return BlockedTopK.Select(query, ItemVectors, k, ColumnExclusions.FromSortedRows([0, excluded.Length], excluded))[0];
            }

            var scores = query.matmul(ItemVectors.t());
            if (excluded.Length > 0)
            {
                using var minusInfinity = float.NegativeInfinity.ToScalar();
                scores.index_fill_(1, tensor(excluded.Select(i => (long)i).ToArray(), device: scores.device), minusInfinity);
            }

            return TopK.Select(scores, k)[0];
        }

        /// <summary>The top k of the cosine between an item and every other item (the item itself excluded).</summary>
        public ScoredIndex[] SimilarTo(int item, int k)
        {
            using var scope = NewDisposeScope();
            var normalized = NormalizedItems();
            var query = normalized.narrow(0, item, 1);
            if (normalized.device.type == DeviceType.CPU)
            {
                return BlockedTopK.Select(query, normalized, k, ColumnExclusions.Diagonal(item))[0];
            }

            var scores = normalized.matmul(normalized[item]).unsqueeze(0);
            using var minusInfinity = float.NegativeInfinity.ToScalar();
            scores.index_fill_(1, tensor(new long[] { item }, device: scores.device), minusInfinity);
            return TopK.Select(scores, k)[0];
        }

        public RecommendedItem[] Popular(int k) =>
            popularOrder.Take(k).Select(i => new RecommendedItem(Items[i], i, Popularity[i])).ToArray();

        /// <summary>Row-normalised item vectors, computed once (races compute the same value; the loser's copy is disposed).</summary>
        public Tensor NormalizedItems()
        {
            if (Volatile.Read(ref _normalized) is { } ready)
            {
                return ready;
            }

            Tensor fresh;
            using (no_grad())
            {
                using var tiny = 1e-12.ToScalar();
                var norms = ItemVectors.norm(1, keepdim: true).clamp_min(tiny);
                fresh = (ItemVectors / norms).DetachFromDisposeScope();
                norms.Dispose();
            }

            var winner = Interlocked.CompareExchange(ref _normalized, fresh, null);
            if (winner is not null)
            {
                fresh.Dispose();
                return winner;
            }

            return fresh;
        }

        public void Dispose()
        {
            UserVectors.Dispose();
            ItemVectors.Dispose();
            _normalized?.Dispose();
        }
    }
}
