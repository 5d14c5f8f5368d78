using System.Buffers;
using Singer.Recommendation.Core;

namespace Singer.Recommendation.Serving;

// Batches: every user of a batch against one block of the int8 copy at a time, so that the block's codes are read
// from the core's cache by each user instead of from memory once per user (at 1,000,000 items × 64-d the codes are
// 64 MB, more than the last-level cache).
internal sealed partial class Int8Items
{
    /// <summary>Bytes of codes per block of a batch: about a quarter of a Zen 4 core's 1 MiB L2 cache.</summary>
    private const int BatchBlockBytes = 256 * 1024;

    /// <summary>
    /// For each user, the list <see cref="Select"/> returns — the same candidates, the same float32 re-scoring, the
    /// same certificate, so the same items, scores and order — with the approximate scores computed one block of
    /// items at a time for every user. Each user keeps the best <c>2 · max(k, candidates)</c> approximate scores;
    /// the first half are the candidates, the second half are checked against the certificate, and when an item
    /// beyond them could still reach the k-th exact score (rare), that user is served by <see cref="Select"/>.
    /// </summary>
    /// <param name="userVectors">The float32 user matrix, row-major, <see cref="Dimension"/> wide.</param>
    /// <param name="users">The rows of <paramref name="userVectors"/> to serve.</param>
    /// <param name="items">The float32 item matrix (row-major, <see cref="Count"/> × <see cref="Dimension"/>).</param>
    /// <param name="k">Items per user.</param>
    /// <param name="candidates">Approximate candidates re-scored first (at least k are).</param>
    /// <param name="seen">Each user's items never returned; null for none.</param>
    /// <param name="fallbacks">How many users were served by <see cref="Select"/> because the kept scores could not certify their list.</param>
    /// <param name="blockItems">Items per block (a multiple of 32); null for about 256 KiB of codes.</param>
    public ScoredIndex[][] SelectBatch(ReadOnlySpan<float> userVectors, ReadOnlySpan<int> users, ReadOnlySpan<float> items, int k, int candidates, UserItemMatrix? seen, out int fallbacks, int? blockItems = null)
    {
        int rows = users.Length, d = Dimension;
        var results = new ScoredIndex[rows][];
        fallbacks = 0;
        if (rows == 0)
        {
            return results;
        }

        var queries = new QuantizedQuery[rows];
        for (int r = 0; r < rows; r++)
        {
            queries[r] = Quantize(userVectors.Slice(users[r] * d, d));
        }

        int p = Math.Max(1, Math.Min(Count, Math.Max(k, candidates)));
        int kept = Math.Max(1, Math.Min(Count, 2 * p));
        var pool = new TopKAccumulator(rows, kept);
        int block = BatchBlockItems(blockItems);
        float[] buffer = ArrayPool<float>.Shared.Rent(block);
        try
        {
            for (int start = 0; start < Count; start += block)
            {
                int width = Math.Min(block, Count - start);
                var part = buffer.AsSpan(0, width);
                for (int r = 0; r < rows; r++)
                {
                    Scores(queries[r], start, width, part);
                    if (seen is not null)
                    {
                        // A user's items are ascending: only the ones inside this block are visited.
                        var own = seen.ItemsOf(users[r]);
                        int at = own.BinarySearch(start);
                        for (at = at < 0 ? ~at : at; at < own.Length && own[at] < start + width; at++)
                        {
                            part[own[at] - start] = float.NegativeInfinity;
                        }
                    }

                    pool.OfferRun(r, part, start);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }

        for (int r = 0; r < rows; r++)
        {
            var query = userVectors.Slice(users[r] * d, d);
            // Best approximate first, ties to the lower index: the candidates of Select are the first p.
            var approximate = pool.Sorted(r);
            var top = new TopKAccumulator(1, k);
            int first = Math.Min(approximate.Length, p);
            for (int i = 0; i < first; i++)
            {
                int j = approximate[i].Index;
                top.Offer(0, Dot(query, items.Slice(j * d, d)), j);
            }

            if (top.Count(0) == k)
            {
                float t = top.Threshold(0);
                float limit = MathF.BitDecrement((float)(t - (double)MaxBound(queries[r])));
                if (approximate.Length == kept && kept < Count && approximate[^1].Score >= limit)
                {
                    // An item beyond the kept scores might reach the k-th exact score: certify over every item.
                    results[r] = Select(query, items, k, candidates, seen is null ? [] : seen.ItemsOf(users[r]), out _);
                    fallbacks++;
                    continue;
                }

                for (int i = first; i < approximate.Length; i++)
                {
                    var (j, a) = approximate[i];
                    if (a >= limit && (double)a + BoundOf(queries[r], j) >= t)
                    {
                        top.Offer(0, Dot(query, items.Slice(j * d, d)), j);
                    }
                }
            }

            results[r] = top.Sorted(0);
        }

        return results;
    }

    /// <summary>Items per block of a batch: the requested count, or about <see cref="BatchBlockBytes"/> of codes; a multiple of 32.</summary>
    internal int BatchBlockItems(int? requested)
    {
        int items = requested ?? BatchBlockBytes / (Groups * 4 * sizeof(byte));
        return Math.Max(32, items / 32 * 32);
    }
}
