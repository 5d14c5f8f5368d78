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
public sealed partial class RecommendationEngine : IDisposable
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

        if (options.BatchThreads is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BatchThreads, $"{nameof(RecommendationEngineOptions.BatchThreads)} must be ≥ 1 (or null for libtorch's intra-op thread count).");
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

    /// <summary>
    /// The top <paramref name="k"/> items for each of several users: with the default
    /// <see cref="RecommendPrecision.Int8Rescored"/> each user's certified int8 candidates, the users split over
    /// libtorch's intra-op threads; with <see cref="RecommendPrecision.Exact"/> one fused top-k kernel over the batch.
    /// </summary>
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
            var top = s.TopItems(known.Select(x => x.User).ToArray(), k, excludeSeen, Options.CandidateCount, Options.BatchThreads);
            for (int r = 0; r < known.Count; r++)
            {
                results[known[r].Slot] = top[r].Select(x => new RecommendedItem(s.Items[x.Index], x.Index, x.Score)).ToArray();
            }
        }

        return results;
    }

    /// <summary>
    /// Every user's top <paramref name="k"/>, in user-index order, computed <paramref name="batchSize"/> users at a time
    /// as <see cref="RecommendBatch"/> computes them (<see cref="RecommendationEngineOptions.Precision"/>) and
    /// enumerated lazily: memory holds one batch, whatever the user count. The snapshot is taken when enumeration
    /// starts (items added meanwhile are not ranked); interactions recorded with <see cref="RecordInteractions"/> are
    /// not applied (this is the trained model's view).
    /// </summary>
    /// <param name="k">Items per user; 1 … <see cref="RecommendationEngineOptions.MaxK"/>.</param>
    /// <param name="excludeSeen">Leave out each user's training items (default true).</param>
    /// <param name="batchSize">Users per batch (default 256; 1 … 65,536).</param>
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
                var top = s.TopItems(users, k, excludeSeen, Options.CandidateCount, Options.BatchThreads);
                for (int r = 0; r < users.Length; r++)
                {
                    yield return new UserRecommendations(s.Users[users[r]], users[r], top[r].Select(x => new RecommendedItem(s.Items[x.Index], x.Index, x.Score)).ToArray());
                }
            }
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
}
