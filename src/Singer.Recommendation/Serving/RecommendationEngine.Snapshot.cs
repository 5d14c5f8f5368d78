using Singer.Recommendation.Core;
using Singer.Recommendation.Serving;
using TorchSharp;
using static TorchSharp.torch;

namespace Singer.Recommendation;

// The immutable view the read path takes once per call; AddItems publishes a new one atomically.
public sealed partial class RecommendationEngine
{
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
        /// The exact top k of <c>z_u · z_i</c> for each user (ties to the lower index), seen items never returned. With
        /// the int8 copy, its certified candidates per user; otherwise on the CPU the fused kernel
        /// (<see cref="BlockedTopK"/>); on a GPU the whole product and <see cref="TopK.Select"/>.
        /// </summary>
        public ScoredIndex[][] TopItems(int[] users, int k, bool excludeSeen, int? candidateCount, int? threads)
        {
            if (Quantized is { } q && FitsSpan(UserVectors))
            {
                return QuantizedTopItems(q, users, k, excludeSeen, candidateCount ?? Math.Max(2 * k, k + 32), threads ?? get_num_threads());
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

        /// <summary>
        /// <see cref="RecommendPrecision.Int8Rescored"/> for any number of users: each user's int8 candidates,
        /// re-scored exactly, the users split into one contiguous range per thread; a range of several users scores
        /// one block of items at a time for all of them (<see cref="Int8Items.SelectBatch"/>).
        /// </summary>
        private ScoredIndex[][] QuantizedTopItems(Int8Items q, int[] users, int k, bool excludeSeen, int candidates, int threads)
        {
            var result = new ScoredIndex[users.Length][];
            int d = (int)UserVectors.shape[1];
            void Range(int from, int to)
            {
                var userFloats = Floats(UserVectors);
                var itemFloats = Floats(ItemVectors);
                if (to - from == 1)
                {
                    var seen = excludeSeen ? Seen.ItemsOf(users[from]) : [];
                    result[from] = q.Select(userFloats.Slice(users[from] * d, d), itemFloats, k, candidates, seen, out _);
                    return;
                }

                var top = q.SelectBatch(userFloats, users.AsSpan(from, to - from), itemFloats, k, candidates, excludeSeen ? Seen : null, out _);
                top.CopyTo(result, from);
            }

            int parts = Math.Min(users.Length, Math.Max(1, threads));
            if (parts == 1)
            {
                Range(0, users.Length);
            }
            else
            {
                Parallel.For(0, parts, part => Range((int)((long)users.Length * part / parts), (int)((long)users.Length * (part + 1) / parts)));
            }

            return result;
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
