using Singer.Recommendation.Core;
using static TorchSharp.torch;

namespace Singer.Recommendation;

/// <summary>
/// One training batch on the device: triples plus the batch's unique users and items, each triple's position among
/// them, and the positions of the unique positive items among the unique items (<c>PositiveSlots</c>).
/// </summary>
internal sealed record TrainingBatch(
    int Size,
    Tensor Users,
    Tensor Positives,
    Tensor Negatives,
    Tensor UniqueUsers,
    Tensor UniqueItems,
    Tensor UserPositions,
    Tensor PositivePositions,
    Tensor NegativePositions,
    Tensor PositiveSlots);

/// <summary>
/// Draws the epoch's (user, positive, negative) triples (SPEC §5): every training pair once, in a seeded random order,
/// each with one negative drawn uniformly from the items the user has not interacted with in training.
/// </summary>
internal sealed class TripleSampler
{
    private readonly UserItemMatrix _train;
    private readonly int[] _pairUsers;
    private readonly int[] _pairItems;
    private readonly int[] _userStamp;
    private readonly int[] _itemStamp;
    private readonly int[] _userSlot;
    private readonly int[] _itemSlot;
    private readonly int[] _positiveStamp;
    private readonly int[]? _negativePool;
    private int _stamp;

    /// <summary>Creates the sampler of <paramref name="train"/>'s pairs.</summary>
    /// <param name="train">The training interactions.</param>
    /// <param name="onlyInteractedNegatives">Draw negatives only among items with at least one training interaction (<c>ColdItemPolicy.SemanticOnly</c>).</param>
    public TripleSampler(UserItemMatrix train, bool onlyInteractedNegatives = false)
    {
        _train = train;
        if (onlyInteractedNegatives)
        {
            var degrees = train.ItemDegrees();
            if (degrees.Any(n => n == 0))
            {
                _negativePool = Enumerable.Range(0, train.ItemCount).Where(i => degrees[i] > 0).ToArray();
            }
        }

        var users = new List<int>(train.Count);
        var items = new List<int>(train.Count);
        for (int u = 0; u < train.UserCount; u++)
        {
            // A user who interacted with every item (of the negative pool) has no negative to draw; their pairs cannot form triples.
            if (train.CountOf(u) >= (_negativePool?.Length ?? train.ItemCount))
            {
                continue;
            }

            foreach (int i in train.ItemsOf(u))
            {
                users.Add(u);
                items.Add(i);
            }
        }

        _pairUsers = users.ToArray();
        _pairItems = items.ToArray();
        _userStamp = new int[train.UserCount];
        _itemStamp = new int[train.ItemCount];
        _userSlot = new int[train.UserCount];
        _itemSlot = new int[train.ItemCount];
        _positiveStamp = new int[train.ItemCount];
    }

    /// <summary>Training pairs that can form triples.</summary>
    public int PairCount => _pairUsers.Length;

    /// <summary>
    /// The triples of one epoch, shuffled with <paramref name="random"/>; with <paramref name="candidates"/> &gt; 1 the
    /// negatives array holds that many uniformly drawn candidates per pair (pair k's at <c>[k·m, (k+1)·m)</c>).
    /// </summary>
    public (int[] Users, int[] Positives, int[] Negatives) Epoch(Random random, int candidates = 1)
    {
        int n = _pairUsers.Length;
        var order = new int[n];
        for (int k = 0; k < n; k++)
        {
            order[k] = k;
        }

        random.Shuffle(order);
        var users = new int[n];
        var pos = new int[n];
        var neg = new int[n * candidates];
        int itemCount = _train.ItemCount;
        for (int k = 0; k < n; k++)
        {
            int u = _pairUsers[order[k]];
            users[k] = u;
            pos[k] = _pairItems[order[k]];
            var seen = _train.ItemsOf(u);
            for (int c = 0; c < candidates; c++)
            {
                int j;
                do
                {
                    j = _negativePool is null ? random.Next(itemCount) : _negativePool[random.Next(_negativePool.Length)];
                }
                while (seen.BinarySearch(j) >= 0);
                neg[(k * candidates) + c] = j;
            }
        }

        return (users, pos, neg);
    }

    /// <summary>Creates the device tensors of the batch <c>[start, start + count)</c> of an epoch's triples.</summary>
    public TrainingBatch Batch(int[] users, int[] pos, int[] neg, int start, int count, Device device)
    {
        _stamp++;
        var uniqueUsers = new List<long>();
        var uniqueItems = new List<long>();
        var userPositions = new long[count];
        var posPositions = new long[count];
        var negPositions = new long[count];
        var positiveSlots = new List<long>();
        for (int k = 0; k < count; k++)
        {
            userPositions[k] = Slot(users[start + k], _userStamp, _userSlot, uniqueUsers);
            posPositions[k] = Slot(pos[start + k], _itemStamp, _itemSlot, uniqueItems);
            negPositions[k] = Slot(neg[start + k], _itemStamp, _itemSlot, uniqueItems);
            if (_positiveStamp[pos[start + k]] != _stamp)
            {
                // First time this item is a positive in the batch (it may have appeared as a negative before).
                _positiveStamp[pos[start + k]] = _stamp;
                positiveSlots.Add(posPositions[k]);
            }

        }

        return new TrainingBatch(
            count,
            ToTensor(users.AsSpan(start, count), device),
            ToTensor(pos.AsSpan(start, count), device),
            ToTensor(neg.AsSpan(start, count), device),
            tensor(uniqueUsers.ToArray(), device: device),
            tensor(uniqueItems.ToArray(), device: device),
            tensor(userPositions, device: device),
            tensor(posPositions, device: device),
            tensor(negPositions, device: device),
            tensor(positiveSlots.ToArray(), device: device));
    }

    private int Slot(int id, int[] stamp, int[] slot, List<long> unique)
    {
        if (stamp[id] != _stamp)
        {
            stamp[id] = _stamp;
            slot[id] = unique.Count;
            unique.Add(id);
        }

        return slot[id];
    }

    private static Tensor ToTensor(ReadOnlySpan<int> values, Device device)
    {
        var longs = new long[values.Length];
        for (int k = 0; k < longs.Length; k++)
        {
            longs[k] = values[k];
        }

        return tensor(longs, device: device);
    }
}
